"""Deleted contacts and interactions listed for those who may restore them, with Restore."""

import pytest
import sqlalchemy as sa

from salesflow.audit.models import AuditEntry
from salesflow.extensions import db
from salesflow.restore import queries
from tests import factories as f
from tests.conftest import login

PAGES = ["/deleted/contacts", "/deleted/interactions"]


@pytest.fixture
def deleted(world):
    """A deleted contact and interaction on each team's account, and a live one of each."""
    return {
        "contact_a": f.make_contact(account=world.account_a, name="Qian Deleted", deleted=True),
        "contact_b": f.make_contact(account=world.account_b, name="Zhou Deleted", deleted=True),
        "interaction_a": f.make_interaction(
            account=world.account_a, owner=world.rep_a, summary="Gone dinner", deleted=True
        ),
        "interaction_b": f.make_interaction(
            account=world.account_b, owner=world.rep_b, summary="Gone call", deleted=True
        ),
    }


def test_an_admin_sees_every_deleted_contact_and_interaction(client, world, deleted):
    login(client, world.admin)
    contacts = client.get("/deleted/contacts").text
    assert "Qian Deleted" in contacts and "Zhou Deleted" in contacts
    assert "Zhang Wei" not in contacts  # not deleted
    assert "Huadong Power" in contacts
    interactions = client.get("/deleted/interactions").text
    assert "Gone dinner" in interactions and "Gone call" in interactions
    assert "Met to discuss the project" not in interactions


def test_a_director_sees_their_teams_deleted_records_only(client, world, deleted):
    login(client, world.director_a)
    contacts = client.get("/deleted/contacts").text
    assert "Qian Deleted" in contacts and "Zhou Deleted" not in contacts
    interactions = client.get("/deleted/interactions").text
    assert "Gone dinner" in interactions and "Gone call" not in interactions


def test_a_contact_of_a_deleted_account_is_listed_and_marked(client, world):
    gone = f.make_account(team=world.team_a, name="Closed Plant")
    f.make_contact(account=gone, name="Wu Deleted", deleted=True)
    gone.deleted_at = gone.created_at
    db.session.flush()
    login(client, world.director_a)
    row = client.get("/deleted/contacts").text.split("Wu Deleted", 1)[1].split("</tr>", 1)[0]
    assert "Closed Plant" in row and "account deleted" in row


@pytest.mark.parametrize("who", ["rep_a", "leader"])
@pytest.mark.parametrize("path", PAGES)
def test_who_may_not_restore_gets_403(client, world, deleted, who, path):
    login(client, getattr(world, who))
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_the_lists_need_a_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_restore_from_the_list_restores_and_comes_back_to_it(client, world, deleted):
    login(client, world.director_a)
    page = client.get("/deleted/contacts").text
    contact = deleted["contact_a"]
    assert f'action="/contacts/{contact.id}/restore"' in page
    response = client.post(
        f"/contacts/{contact.id}/restore",
        data={"next": "/deleted/contacts"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/deleted/contacts")
    assert contact.deleted_at is None
    assert "Qian Deleted" not in client.get("/deleted/contacts").text


def test_restore_an_interaction_from_the_list(client, world, deleted):
    login(client, world.admin)
    assert "Gone call" in client.get("/deleted/interactions").text
    interaction = deleted["interaction_b"]
    response = client.post(
        f"/interactions/{interaction.id}/restore",
        data={"next": "/deleted/interactions"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/deleted/interactions")
    assert interaction.deleted_at is None


def test_a_director_cannot_restore_another_teams_contact(client, world, deleted):
    login(client, world.director_a)
    contact = deleted["contact_b"]
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    response = client.post(
        f"/contacts/{contact.id}/restore",
        data={"next": "/deleted/contacts"},
    )
    assert response.status_code == 404
    assert contact.deleted_at is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before


def test_a_restore_without_its_csrf_token_restores_nothing(
    app, client, world, deleted, monkeypatch
):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login(client, world.admin)
    contact = deleted["contact_a"]
    client.post(f"/contacts/{contact.id}/restore", data={"next": "/deleted/contacts"})
    assert contact.deleted_at is not None


def test_the_latest_are_listed_first_and_the_rest_counted(world, now):
    older = f.make_contact(account=world.account_a, name="Older", deleted=True)
    newer = f.make_contact(account=world.account_a, name="Newer", deleted=True)
    older.deleted_at = now.replace(year=2025)
    db.session.flush()
    rows, total = queries.deleted_contacts(world.admin, limit=1)
    assert [r.id for r in rows] == [newer.id] and total == 2


def test_the_deleted_accounts_list_links_the_other_lists(client, world):
    login(client, world.director_a)
    page = client.get("/accounts?deleted=1").text
    assert 'href="/deleted/contacts"' in page and 'href="/deleted/interactions"' in page
    assert 'href="/deleted/contacts"' not in client.get("/accounts").text


def test_an_empty_list_says_so(client, world):
    login(client, world.director_b)
    assert "No deleted contacts." in client.get("/deleted/contacts").text
    assert "No deleted contact logs." in client.get("/deleted/interactions").text
