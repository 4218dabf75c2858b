"""Twenty people quick-logging the same meeting at the same moment, each naming the same
contacts and colleagues in their own order: none gets a 500, every log is kept, and the tie touch
counts are exactly what a rebuild from the interactions gives. Real commits, so a fresh database
of its own.

On PostgreSQL the logs upsert the same (account, contact, user, day) rows of tie_touches; taken
in each request's own order, two of them wait for each other's rows (a deadlock, SQLSTATE 40P01).
The counts are written in key order, and a request that still meets a deadlock runs once more
(salesflow.app). On SQLite a writing request holds the write lock from its start (BEGIN
IMMEDIATE), so the logs simply take turns."""

import random
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from salesflow import clock
from salesflow.auth.models import Role
from salesflow.auth.services import create_token
from salesflow.extensions import db
from salesflow.interactions.models import Interaction
from salesflow.ties import touches
from salesflow.ties.models import TieTouch
from tests import factories as f
from tests.conftest import migrated_app

CLIENTS, CONTACTS, PEOPLE = 20, 5, 4


def _setup(app) -> tuple[int, list[int], list[int], list[str]]:
    """A committed account with its contacts, our people on it, and a token for each person."""
    with app.test_request_context():
        team = f.make_team(name="North")
        people = [f.make_user(role=Role.rep, team=team, name=f"Rep {n}") for n in range(PEOPLE)]
        account = f.make_account(team=team, name="Huadong Power", members={people[0]: "AR"})
        contacts = [f.make_contact(account=account, name=f"Contact {n}") for n in range(CONTACTS)]
        tokens = [create_token(person, now=clock.now()) for person in people]
        db.session.commit()
        ids = account.id, [c.id for c in contacts], [p.id for p in people]
        db.session.remove()
        return *ids, tokens


def _log_all(app, account_id: int, contact_ids: list[int], people: list[int], tokens: list[str]):
    """Each client posts one quick log once all are ready; their statuses and bodies."""
    barrier = threading.Barrier(CLIENTS)
    answers: list[tuple[int, object]] = []
    lock = threading.Lock()
    occurred_at = (clock.now() - timedelta(minutes=30)).isoformat()

    def client(n: int) -> None:
        shuffle = random.Random(n)
        body = {
            "account_id": account_id,
            "kind": "meeting",
            "occurred_at": occurred_at,
            "summary": f"Meeting {n}",
            "contact_ids": shuffle.sample(contact_ids, len(contact_ids)),
            "participant_ids": shuffle.sample(people, len(people)),
        }
        http = app.test_client()
        headers = {"Authorization": f"Bearer {tokens[n % len(tokens)]}"}
        barrier.wait(timeout=30)
        try:
            response = http.post("/api/v1/interactions", json=body, headers=headers)
            answer = (response.status_code, response.get_json())
        except Exception as error:  # what a server outside tests answers with a 500
            answer = (500, repr(error))
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def _counts() -> dict[tuple[int, int, int, int], int]:
    rows = db.session.execute(
        sa.select(
            TieTouch.account_id,
            TieTouch.contact_id,
            TieTouch.user_id,
            TieTouch.day,
            TieTouch.touches,
        )
    )
    return {(a, c, u, d): n for a, c, u, d, n in rows}


@pytest.mark.committing
def test_simultaneous_quick_logs_naming_the_same_people_all_land(tmp_path):
    with migrated_app(str(tmp_path), "quicklog") as app:
        account_id, contact_ids, people, tokens = _setup(app)
        answers = _log_all(app, account_id, contact_ids, people, tokens)
        statuses = sorted(status for status, _body in answers)
        assert statuses == [201] * CLIENTS, [a for a in answers if a[0] != 201]
        with app.app_context():
            logged = db.session.scalars(sa.select(Interaction.summary)).all()
            assert sorted(logged) == sorted(f"Meeting {n}" for n in range(CLIENTS))
            kept = _counts()
            assert set(kept.values()) == {CLIENTS}  # every pair met in all twenty
            assert len(kept) == CONTACTS * PEOPLE
            touches.rebuild()
            assert _counts() == kept
            db.session.rollback()
            db.session.remove()
