"""Quick logs on the same account at the same moment, each naming other people and contacts:
today's snapshot row each of them refreshes ends equal to a full recomputation (each refresh
locks the row before reading the counts, so the last one counts every log). Real commits, so a
fresh database of its own."""

import random
import threading
from datetime import timedelta

import pytest

from salesflow import clock
from salesflow.auth.models import Role
from salesflow.auth.services import create_token
from salesflow.dependency import metrics, queries, snapshots
from salesflow.extensions import db
from tests import factories as f
from tests.conftest import migrated_app

CLIENTS, CONTACTS, PEOPLE = 12, 4, 4


def _setup(app) -> tuple[int, list[int], list[int], list[str]]:
    with app.test_request_context():
        team = f.make_team(name="North")
        people = [f.make_user(role=Role.rep, team=team, name=f"Rep {n}") for n in range(PEOPLE)]
        account = f.make_account(team=team, name="Huadong Power", members={people[0]: "AR"})
        contacts = [
            f.make_contact(account=account, name=f"Contact {n}", decision_role="decision_maker")
            for n in range(CONTACTS)
        ]
        tokens = [create_token(person, now=clock.now()) for person in people]
        db.session.commit()
        taken = clock.now() + timedelta(minutes=10)  # past the setup's own changes
        with clock.frozen(taken):
            snapshots.take(now=taken)
            db.session.commit()
        ids = account.id, [c.id for c in contacts], [p.id for p in people]
        db.session.remove()
        return *ids, tokens


def _log_all(app, account_id: int, contact_ids: list[int], people: list[int], tokens: list[str]):
    barrier = threading.Barrier(CLIENTS)
    statuses: list[int] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        pick = random.Random(n)
        body = {
            "account_id": account_id,
            "kind": "meeting",
            "occurred_at": (clock.now() - timedelta(minutes=30)).isoformat(),
            "summary": f"Meeting {n}",
            "contact_ids": pick.sample(contact_ids, pick.randint(1, len(contact_ids))),
            "participant_ids": [people[n % len(people)]],
        }
        headers = {"Authorization": f"Bearer {tokens[n % len(tokens)]}"}
        barrier.wait(timeout=30)
        try:
            response = app.test_client().post("/api/v1/interactions", json=body, headers=headers)
            status = response.status_code
        except Exception:  # what a server outside tests answers with a 500
            status = 500
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


@pytest.mark.committing
def test_simultaneous_logs_leave_the_snapshot_row_equal_to_a_recomputation(tmp_path):
    with migrated_app(str(tmp_path), "refresh") as app:
        with clock.frozen(clock.now()):
            account_id, contact_ids, people, tokens = _setup(app)
        start = clock.now() + timedelta(minutes=20)
        with clock.frozen(start):
            assert _log_all(app, account_id, contact_ids, people, tokens) == [201] * CLIENTS
            with app.test_request_context():
                stored = queries.from_snapshot({account_id}, now=start)
                inputs = queries.account_inputs({account_id}, now=start)
                live = metrics.account_metrics(inputs[account_id])
                assert account_id in stored  # refreshed, not left to recompute
                assert stored[account_id].shares == pytest.approx(live.shares)
                assert stored[account_id].uncovered_key_contacts == live.uncovered_key_contacts
                assert stored[account_id].bus_factor == live.bus_factor
                assert len(live.shares) == PEOPLE
                db.session.remove()
