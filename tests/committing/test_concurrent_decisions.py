"""Two asks for the same decision at the same moment make one request (issue 14: a decision
button disappears once asked, and the service refuses a second ask). Real commits, so a fresh
database of its own.

Both requests are held once they have read the decision point's latest record. On PostgreSQL
the deal's row is locked before that read (services._lock), so the second ask waits for the
first to commit, then reads its request and is refused; the hold of the first simply times
out. Without the lock both would read "not asked" and both would record a request. On SQLite a
writing request takes the write lock when it begins, which serializes them the same way."""

import contextlib
import threading

import pytest
import sqlalchemy as sa

from salesflow import clock
from salesflow.auth.models import Role
from salesflow.auth.services import create_token
from salesflow.extensions import db
from salesflow.notifications.models import Notification
from salesflow.opportunities import decisions
from salesflow.opportunities.models import Approval, Decision
from tests import factories as f
from tests.conftest import migrated_app

RACERS = 2
HOLD_SECONDS = 2  # under SQLite's busy timeout (5 s), so the waiting writer still gets in


def _deal_and_tokens(app) -> tuple[int, list[str]]:
    """A committed enterprise deal in "shape" (approve to bid) and the tokens of two reps."""
    with app.test_request_context():
        team = f.make_team(name="North")
        boss = f.make_user(role=Role.director, team=team, name="Director North")
        team.director_id = boss.id
        reps = [f.make_user(role=Role.rep, team=team, name=n) for n in ("Li Ming", "Zhao Lei")]
        account = f.make_account(team=team, name="Huadong Power", members={reps[0]: "AR"})
        deal = f.make_opportunity(account=account, stage="shape", roles={reps[0]: "AR"})
        tokens = [create_token(rep, now=clock.now()) for rep in reps]
        db.session.commit()
        return deal.id, tokens


def _race(app, deal_id: int, tokens: list[str]) -> list[int]:
    barrier = threading.Barrier(RACERS)
    statuses: list[int] = []
    lock = threading.Lock()

    def racer(token: str) -> None:
        client = app.test_client()
        barrier.wait(timeout=30)
        response = client.post(
            f"/api/v1/opportunities/{deal_id}/approvals",
            json={"stage": "shape", "gate": "atb", "decision": "request"},
            headers={"Authorization": f"Bearer {token}"},
        )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=racer, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(statuses)


def _hold_after_reading_the_latest_record(monkeypatch) -> None:
    both_read = threading.Barrier(RACERS)
    read = decisions.latest

    def held(opportunity_id, gate_key):
        found = read(opportunity_id, gate_key)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait(timeout=HOLD_SECONDS)
        return found

    monkeypatch.setattr(decisions, "latest", held)


@pytest.mark.committing
def test_two_concurrent_asks_for_one_decision_make_one_request(tmp_path, monkeypatch):
    with migrated_app(str(tmp_path), "decisions") as app:
        deal_id, tokens = _deal_and_tokens(app)
        _hold_after_reading_the_latest_record(monkeypatch)
        assert _race(app, deal_id, tokens) == [201, 422]
        with app.app_context():
            records = db.session.scalars(
                sa.select(Approval.decision).where(Approval.opportunity_id == deal_id)
            ).all()
            assert records == [Decision.requested]
            told = db.session.scalar(
                sa.select(sa.func.count(Notification.id)).where(
                    Notification.kind == "decision_requested"
                )
            )
            assert told == 1
            db.session.remove()
