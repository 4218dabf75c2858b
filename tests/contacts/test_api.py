"""JSON API for contacts and the decision chain (API.md)."""

from datetime import date

import pytest
import sqlalchemy as sa

from salesflow.audit.models import AuditEntry
from salesflow.contacts.models import Contact
from salesflow.extensions import db
from tests.conftest import api_as
from tests.factories import make_contact, make_interaction


@pytest.fixture
def apis(app, now, world):
    """Bearer clients for the world's people. The setup is committed (a savepoint): an API error
    rolls back the request's own work only."""
    clients = {
        who: api_as(app, getattr(world, who))
        for who in ("rep_a", "rep_b", "director_a", "director_b", "admin")
    }
    db.session.commit()
    return clients


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Contact))


def test_create_contact_with_a_profile(apis, world):
    response = apis["rep_a"].post(
        "/contacts",
        json={
            "account_id": world.account_a.id,
            "name": "Qian Hua",
            "level": "management",
            "reports_to_id": world.contact_a.id,
            "decision_role": "coach",
            "influence": "low",
            "attitude": "champion",
            "email": "qian@example.cn",
            "phone": "13800000000",
            "profile": {"hometown": "Suzhou", "preferences": "Pu'er tea"},
        },
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["name"] == "Qian Hua" and body["decision_role"] == "coach"
    assert body["level"] == "management" and body["reports_to_id"] == world.contact_a.id
    assert body["profile"]["hometown"] == "Suzhou" and body["profile"]["preferences"] == "Pu'er tea"
    assert body["profile"]["notes"] is None and body["version"] == 1 and body["left_on"] is None
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity_id == body["id"]))
    assert (entry.action, entry.account_id, entry.actor_id) == (
        "create",
        world.account_a.id,
        world.rep_a.id,
    )


BAD_CREATES = [
    ({"name": 123}, "name"),
    ({"account_id": "abc"}, "account_id"),
    ({"profile": "likes tea"}, "profile"),
    ({"influence": 5}, "influence"),
    ({"attitude": "friendly"}, "attitude"),
    ({"level": "intern"}, "level"),
    ({"name": None}, "name"),
    ({"name": "x" * 121}, "name"),
    ({"title": "x" * 20_001}, "title"),
    ({"profile": {"notes": "x" * 20_001}}, "profile.notes"),
    ({"profile": {"shoe_size": 42}}, "profile.shoe_size"),
    ({"phone": "1" * 41}, "phone"),
    ({"email": "not-an-address"}, "email"),
    ({"left_on": "2099-01-01"}, "left_on"),
    ({"left_on": "soon"}, "left_on"),
    ({"reports_to_id": 0}, "reports_to_id"),
    ({"nickname": "Boss"}, "nickname"),
]


@pytest.mark.parametrize(("change", "field"), BAD_CREATES)
def test_bad_input_on_create_is_a_422_with_the_field(apis, world, change, field):
    body = {"account_id": world.account_a.id, "name": "Qian Hua", **change}
    response = apis["rep_a"].post("/contacts", json=body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and field in error["fields"]
    assert _count() == 3


def test_missing_name_is_a_422(apis, world):
    response = apis["rep_a"].post("/contacts", json={"account_id": world.account_a.id})
    assert response.status_code == 422 and "name" in response.get_json()["error"]["fields"]


def test_reports_to_from_another_account_is_a_422(apis, world):
    response = apis["rep_b"].post(
        "/contacts",
        json={"account_id": world.shared.id, "name": "X", "reports_to_id": world.contact_b.id},
    )
    assert response.status_code == 422
    assert "reports_to_id" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("account", ["account_a", "missing"])
def test_create_in_an_account_outside_scope_is_a_404(apis, world, account):
    account_id = world.account_a.id if account == "account_a" else 999_999
    response = apis["rep_b"].post("/contacts", json={"account_id": account_id, "name": "X"})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert _count() == 3


def test_not_json_is_refused(apis, world):
    response = apis["rep_a"].post("/contacts", data="name=x", content_type="text/plain")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"
    assert _count() == 3


def test_list_shows_only_contacts_in_scope(apis, world):
    ids = {c["id"] for c in apis["rep_b"].get("/contacts").get_json()["items"]}
    assert ids == {world.contact_b.id, world.contact_shared.id}


def test_list_filters_by_account_and_q_and_pages(apis, world):
    make_contact(account=world.account_a, name="Zhang San", title="Buyer")
    make_contact(account=world.account_a, name="Li Si", title="Chief buyer")
    db.session.commit()
    api = apis["rep_a"]
    by_q = api.get(f"/contacts?account_id={world.account_a.id}&q=BUYER").get_json()
    assert {c["name"] for c in by_q["items"]} == {"Zhang San", "Li Si"}
    page = api.get(f"/contacts?account_id={world.account_a.id}&limit=2").get_json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = api.get(f"/contacts?account_id={world.account_a.id}&cursor={page['next_cursor']}")
    assert len(rest.get_json()["items"]) == 1
    assert api.get("/contacts?q=%25").get_json()["items"] == []  # LIKE wildcards are literal


def test_list_of_an_account_outside_scope_is_a_404(apis, world):
    assert apis["rep_b"].get(f"/contacts?account_id={world.account_a.id}").status_code == 404
    assert apis["rep_b"].get("/contacts?account_id=abc").status_code == 422


def test_other_teams_contact_is_a_404_for_every_method(apis, world):
    api, cid = apis["rep_b"], world.contact_a.id
    assert api.get(f"/contacts/{cid}").status_code == 404
    assert api.patch(f"/contacts/{cid}", json={"title": "X", "version": 1}).status_code == 404
    assert api.delete(f"/contacts/{cid}").status_code == 404
    assert apis["director_b"].delete(f"/contacts/{cid}").status_code == 404


def test_patch_changes_only_what_is_sent(apis, world):
    cid = world.contact_a.id
    response = apis["rep_a"].patch(
        f"/contacts/{cid}",
        json={"title": "CEO", "profile": {"notes": "Never on Mondays"}, "version": 1},
    )
    body = response.get_json()
    assert response.status_code == 200
    assert body["title"] == "CEO" and body["profile"]["notes"] == "Never on Mondays"
    assert body["decision_role"] == "decision_maker" and body["version"] == 2


def test_patch_with_a_stale_version_is_a_409(apis, world):
    cid = world.contact_a.id
    assert (
        apis["rep_a"].patch(f"/contacts/{cid}", json={"title": "A", "version": 1}).status_code
        == 200
    )
    response = apis["rep_b"].patch(f"/contacts/{world.contact_shared.id}", json={"version": 7})
    assert response.status_code == 409
    stale = apis["rep_a"].patch(f"/contacts/{cid}", json={"title": "B", "version": 1})
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "conflict"
    db.session.expire_all()
    assert db.session.get(Contact, cid).title == "A"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reports_to_id": "self"}, "reports_to_id"),
        ({"reports_to_id": "other_account"}, "reports_to_id"),
        ({"account_id": "shared"}, "account_id"),
        ({"name": None}, "name"),
        ({"decision_role": None}, "decision_role"),
        ({"left_on": "2099-12-31"}, "left_on"),
        ({"version": "one"}, "version"),
    ],
)
def test_bad_patches_are_422(apis, world, change, field):
    ids = {
        "self": world.contact_a.id,
        "other_account": world.contact_b.id,
        "shared": world.shared.id,
    }
    body = {"version": 1} | {
        k: ids.get(v, v) if isinstance(v, str) else v for k, v in change.items()
    }
    response = apis["rep_a"].patch(f"/contacts/{world.contact_a.id}", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_a_loop_through_the_api_is_refused(apis, world):
    b = make_contact(account=world.account_a, reports_to=world.contact_a)
    db.session.commit()
    change = {"reports_to_id": b.id, "version": world.contact_a.version}
    response = apis["rep_a"].patch(f"/contacts/{world.contact_a.id}", json=change)
    assert response.status_code == 422 and "reports_to_id" in response.get_json()["error"]["fields"]


def test_mark_left_and_back_through_patch(apis, world):
    cid = world.contact_a.id
    left = apis["rep_a"].patch(f"/contacts/{cid}", json={"left_on": "2026-11-02", "version": 1})
    assert left.get_json()["left_on"] == "2026-11-02"
    back = apis["rep_a"].patch(f"/contacts/{cid}", json={"left_on": None, "version": 2})
    assert back.get_json()["left_on"] is None


def test_rep_cannot_delete_through_the_api(apis, world):
    response = apis["rep_a"].delete(f"/contacts/{world.contact_a.id}")
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"


def test_director_soft_deletes_and_restores_through_the_api(apis, world):
    cid = world.contact_a.id
    assert apis["director_a"].delete(f"/contacts/{cid}").status_code == 204
    assert apis["rep_a"].get(f"/contacts/{cid}").status_code == 404
    assert apis["director_a"].get(f"/contacts/{cid}").get_json()["deleted_at"] is not None
    assert apis["rep_a"].post(f"/contacts/{cid}/restore").status_code == 404
    restored = apis["director_a"].post(f"/contacts/{cid}/restore")
    assert restored.status_code == 200 and restored.get_json()["deleted_at"] is None
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.entity_id == cid).order_by(AuditEntry.id)
    ).all()
    assert actions == ["delete", "restore"]


def test_decision_chain_shape(apis, world, now):
    cio = make_contact(account=world.account_a, name="CIO", reports_to=world.contact_a)
    make_contact(account=world.account_a, name="Gone", left_on=date(2026, 1, 1))
    make_interaction(
        account=world.account_a,
        owner=world.rep_a,
        participants=[world.rep_a, world.rep_a2],
        contacts=[cio],
        days_ago=90,
    )
    db.session.commit()
    response = apis["rep_a"].get(f"/accounts/{world.account_a.id}/decision-chain")
    assert response.status_code == 200
    [root] = response.get_json()
    assert set(root) == {
        "id",
        "name",
        "title",
        "decision_role",
        "influence",
        "attitude",
        "level",
        "ties",
        "reports",
    }
    assert (root["name"], root["decision_role"], root["influence"]) == (
        "Zhang Wei",
        "decision_maker",
        "high",
    )
    assert root["ties"] == [{"user_id": world.rep_a.id, "name": "Li Ming", "strength": 1.0}]
    [child] = root["reports"]
    assert child["name"] == "CIO" and child["reports"] == []
    assert sorted((t["name"], t["strength"]) for t in child["ties"]) == [
        ("Li Ming", 0.5),
        ("Zhao Lei", 0.5),
    ]


def test_decision_chain_of_an_account_outside_scope_is_a_404(apis, world):
    assert apis["rep_b"].get(f"/accounts/{world.account_a.id}/decision-chain").status_code == 404


def test_contacts_api_needs_a_token(client):
    assert client.get("/api/v1/contacts").status_code == 401
