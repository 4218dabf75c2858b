"""Twenty people changing the same deal at the same moment (API.md: every update sends the
`version` it read). Without a version each one is refused (422 on `version`) and nothing changes;
all with the version they read, exactly one wins, the other nineteen get a 409 and leave nothing
behind: the name is the winner's, the version went up by one, the audit trail has one update.
Real commits, so a fresh database of its own.

On PostgreSQL all twenty may pass the `version` check; the version column (UPDATE ... WHERE
version = n) then decides. On SQLite a writing request takes the write lock when it begins
(BEGIN IMMEDIATE), so each later one reads the new version and is refused by the check."""

import threading
from typing import Any

import pytest
import sqlalchemy as sa

from salesflow import clock
from salesflow.audit.models import AuditEntry
from salesflow.auth.models import Role
from salesflow.auth.services import create_token
from salesflow.extensions import db
from salesflow.opportunities.models import Opportunity
from tests import factories as f
from tests.conftest import migrated_app

CLIENTS = 20
NAME = "Substation retrofit"


def _deal_and_tokens(app) -> tuple[int, int, list[str]]:
    """A committed open deal on a team's account, and a token for each of the team's people."""
    with app.test_request_context():
        team = f.make_team(name="North")
        people = [f.make_user(role=Role.rep, team=team, name=f"Rep {n}") for n in range(CLIENTS)]
        account = f.make_account(team=team, name="Huadong Power", members={people[0]: "AR"})
        deal = f.make_opportunity(account=account, name=NAME, roles={people[0]: "AR"})
        tokens = [create_token(person, now=clock.now()) for person in people]
        db.session.commit()
        ids = deal.id, deal.version
        db.session.remove()
        return *ids, tokens


def _patch_all(app, deal_id: int, tokens: list[str], version: int | None):
    """Each client renames the deal to its own name once all are ready: {name: (status, body)}."""
    barrier = threading.Barrier(CLIENTS)
    answers: dict[str, tuple[int, Any]] = {}
    lock = threading.Lock()

    def client(n: int) -> None:
        name = f"Renamed by {n}"
        body: dict[str, Any] = {"name": name}
        if version is not None:
            body["version"] = version
        http = app.test_client()
        headers = {"Authorization": f"Bearer {tokens[n]}"}
        barrier.wait(timeout=30)
        try:
            response = http.patch(f"/api/v1/opportunities/{deal_id}", json=body, headers=headers)
            answer = (response.status_code, response.get_json())
        except Exception as error:  # what a server outside tests answers with a 500
            answer = (500, repr(error))
        with lock:
            answers[name] = answer

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(answers) == CLIENTS
    return answers


def _stored(app, deal_id: int) -> tuple[str, int, int]:
    """The deal's name and version, and how many update entries its audit trail has."""
    with app.app_context():
        deal = db.session.get(Opportunity, deal_id)
        updates = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(
                AuditEntry.entity_type == "opportunities",
                AuditEntry.entity_id == deal_id,
                AuditEntry.action == "update",
            )
        )
        stored = deal.name, deal.version, updates
        db.session.remove()
        return stored


@pytest.mark.committing
def test_twenty_patches_without_a_version_are_all_refused(tmp_path):
    with migrated_app(str(tmp_path), "patch_unversioned") as app:
        deal_id, version, tokens = _deal_and_tokens(app)
        answers = _patch_all(app, deal_id, tokens, None)
        for status, body in answers.values():
            assert status == 422, body
            assert "version" in body["error"]["fields"], body
        assert _stored(app, deal_id) == (NAME, version, 0)


@pytest.mark.committing
def test_twenty_patches_with_the_same_version_make_one_change_and_nineteen_409s(tmp_path):
    with migrated_app(str(tmp_path), "patch_versioned") as app:
        deal_id, version, tokens = _deal_and_tokens(app)
        answers = _patch_all(app, deal_id, tokens, version)
        statuses = sorted(status for status, _body in answers.values())
        assert statuses == [200] + [409] * (CLIENTS - 1), answers
        [winner] = [name for name, (status, _body) in answers.items() if status == 200]
        assert answers[winner][1]["name"] == winner
        assert answers[winner][1]["version"] == version + 1
        for status, body in answers.values():
            assert status == 200 or body["error"]["code"] == "conflict", body
        assert _stored(app, deal_id) == (winner, version + 1, 1)
