"""Two people advancing the same deal at the same moment with the version they both read: one
moves it, the other gets a 409 and leaves nothing behind (PLAYBOOKS.md, Moves). Real commits, so a
fresh database of its own.

On PostgreSQL both requests are held after reading the deal and its gates, so both pass the
`version` check and the version column (UPDATE ... WHERE version = n) decides the race. On SQLite
a writing request takes the write lock when it begins (BEGIN IMMEDIATE), so the second one waits,
reads the new version and is refused by the check; the hold then simply times out."""

import contextlib
import threading
from datetime import date

import pytest
import sqlalchemy as sa

from salesflow import clock
from salesflow.auth.models import Role
from salesflow.auth.services import create_token
from salesflow.extensions import db
from salesflow.opportunities import moves
from salesflow.opportunities.models import Move, Opportunity, StageChange
from tests import factories as f
from tests.conftest import migrated_app

RACERS = 2
HOLD_SECONDS = 2  # under SQLite's busy timeout (5 s), so the waiting writer still gets in


def _deal_and_token(app) -> tuple[int, int, str]:
    """A committed transactional deal whose `qualify` gates hold (AR seat, amount, close date),
    and a token of the rep who works it."""
    with app.test_request_context():
        team = f.make_team(name="North")
        rep = f.make_user(role=Role.rep, team=team, name="Li Ming")
        account = f.make_account(team=team, name="Huadong Power", members={rep: "AR"})
        deal = f.make_opportunity(
            account=account,
            playbook="transactional",
            roles={rep: "AR"},
            amount=50_000,
            expected_close=date(2027, 3, 31),
        )
        token = create_token(rep, now=clock.now())
        db.session.commit()
        return deal.id, deal.version, token


def _race(app, deal_id: int, version: int, token: str) -> list[int]:
    """Each racer POSTs the advance with its own client once all are ready; their statuses."""
    barrier = threading.Barrier(RACERS)
    statuses: list[int] = []
    lock = threading.Lock()

    def racer() -> None:
        client = app.test_client()
        barrier.wait(timeout=30)
        response = client.post(
            f"/api/v1/opportunities/{deal_id}/advance",
            json={"version": version},
            headers={"Authorization": f"Bearer {token}"},
        )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=racer) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(statuses)


def _hold_after_reading_gates(monkeypatch) -> None:
    """Both advances wait for each other once they have read the deal and evaluated its gates."""
    both_read = threading.Barrier(RACERS)
    evaluate = moves.gate_results

    def held(opportunity, *, now):
        results = evaluate(opportunity, now=now)
        # On SQLite the other request is waiting for the write lock: the hold times out.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait(timeout=HOLD_SECONDS)
        return results

    monkeypatch.setattr(moves, "gate_results", held)


@pytest.mark.committing
def test_two_concurrent_advances_with_one_version_make_one_move_and_one_409(tmp_path, monkeypatch):
    with migrated_app(str(tmp_path), "advance") as app:
        deal_id, version, token = _deal_and_token(app)
        _hold_after_reading_gates(monkeypatch)
        assert _race(app, deal_id, version, token) == [200, 409]
        with app.app_context():
            deal = db.session.get(Opportunity, deal_id)
            assert deal.stage_key == "quote" and deal.version == version + 1
            history = db.session.scalars(
                sa.select(StageChange.move).where(StageChange.opportunity_id == deal_id)
            ).all()
            assert history == [Move.advanced]
            db.session.remove()
