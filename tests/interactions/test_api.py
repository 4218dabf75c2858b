"""JSON API for interactions (API.md)."""

import pytest
import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.interactions.models import Interaction
from tests.conftest import api_as
from tests.factories import make_contact, make_interaction, make_opportunity


@pytest.fixture
def apis(app, now, world):
    clients = {
        who: api_as(app, getattr(world, who))
        for who in ("rep_a", "rep_b", "director_a", "director_b", "admin")
    }
    db.session.commit()
    return clients


def _body(world, **overrides):
    data = {
        "account_id": world.account_a.id,
        "kind": "meal",
        "occurred_at": "2026-11-19T19:00:00+08:00",
        "summary": "Dinner with the CEO",
        "contact_ids": [world.contact_a.id],
    }
    return {**data, **overrides}


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Interaction))


def test_create_interaction(apis, world):
    response = apis["rep_a"].post(
        "/interactions",
        json=_body(world, cost="300.00", next_step="Site visit", next_step_due="2026-12-01"),
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["kind"] == "meal" and body["owner_id"] == world.rep_a.id
    assert body["participant_ids"] == [world.rep_a.id]
    assert body["contact_ids"] == [world.contact_a.id]
    assert body["cost"] == "300.00" and body["next_step_due"] == "2026-12-01"
    assert body["occurred_at"].startswith("2026-11-19T11:00:00")
    assert body["opportunity_id"] is None and body["version"] == 1
    assert body["next_step_done_at"] is None and body["created_at"]


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"occurred_at": "2026-11-19T19:00:00"}, "occurred_at"),
        ({"cost": -1}, "cost"),
        ({"cost": "1.234"}, "cost"),
        ({"kind": "banquet"}, "kind"),
        ({"summary": "x" * 5001}, "summary"),
        ({"summary": "x" * 30_000}, "summary"),
        ({"next_step_due": "2026-12-01"}, "next_step_due"),
        ({"opportunity_id": 2**31 - 1}, "opportunity_id"),
        ({"opportunity_id": "deal"}, "opportunity_id"),
        ({"contact_ids": ["a"]}, "contact_ids"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_422_and_saves_nothing(apis, world, override, field):
    before = _count()
    response = apis["rep_a"].post("/interactions", json=_body(world, **override))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert any(name.split(".")[0] == field for name in error["fields"])
    assert _count() == before


def test_other_accounts_contact_is_422(apis, world):
    response = apis["rep_a"].post(
        "/interactions", json=_body(world, contact_ids=[world.contact_shared.id])
    )
    assert response.status_code == 422
    assert "contact_ids" in response.get_json()["error"]["fields"]


def test_opportunity_of_the_account_is_stored_and_returned(apis, world):
    deal = make_opportunity(account=world.account_a)
    db.session.commit()
    response = apis["rep_a"].post("/interactions", json=_body(world, opportunity_id=deal.id))
    assert response.status_code == 201
    body = response.get_json()
    assert body["opportunity_id"] == deal.id
    assert db.session.get(Interaction, body["id"]).opportunity_id == deal.id
    cleared = apis["rep_a"].patch(
        f"/interactions/{body['id']}", json={"opportunity_id": None, "version": body["version"]}
    )
    assert cleared.status_code == 200 and cleared.get_json()["opportunity_id"] is None


def test_opportunity_of_another_account_is_422(apis, world):
    other = make_opportunity(account=world.shared)
    db.session.commit()
    before = _count()
    response = apis["rep_a"].post("/interactions", json=_body(world, opportunity_id=other.id))
    assert response.status_code == 422
    assert "opportunity_id" in response.get_json()["error"]["fields"]
    patch = apis["rep_a"].patch(
        f"/interactions/{world.interaction_a.id}", json={"opportunity_id": other.id, "version": 1}
    )
    assert patch.status_code == 422 and "opportunity_id" in patch.get_json()["error"]["fields"]
    assert _count() == before


def test_other_teams_interaction_is_404(apis, world):
    rep_a = apis["rep_a"]
    assert rep_a.get(f"/interactions/{world.interaction_b.id}").status_code == 404
    change = {"summary": "x", "version": 1}
    patch = rep_a.patch(f"/interactions/{world.interaction_b.id}", json=change)
    assert patch.status_code == 404
    assert (
        rep_a.post(
            "/interactions", json=_body(world, account_id=world.account_b.id, contact_ids=[])
        ).status_code
        == 404
    )


def test_list_is_scoped_filtered_and_paginated(apis, world):
    make_interaction(account=world.account_a, owner=world.rep_a, days_ago=30)
    db.session.commit()
    rep_b = apis["rep_b"]
    ids = {i["id"] for i in rep_b.get("/interactions").get_json()["items"]}
    assert ids == {world.interaction_b.id, world.interaction_shared.id}
    rep_a = apis["rep_a"]
    first = rep_a.get(f"/interactions?account_id={world.account_a.id}&limit=1").get_json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    rest = rep_a.get(
        f"/interactions?account_id={world.account_a.id}&limit=1&cursor={first['next_cursor']}"
    ).get_json()
    assert rest["items"][0]["id"] > first["items"][0]["id"]
    recent = rep_a.get(
        f"/interactions?account_id={world.account_a.id}&since=2026-11-01T00:00:00%2B00:00"
    ).get_json()
    assert [i["id"] for i in recent["items"]] == [world.interaction_a.id]
    by_contact = rep_a.get(f"/interactions?contact_id={world.contact_a.id}").get_json()
    assert [i["id"] for i in by_contact["items"]] == [world.interaction_a.id]
    mine = apis["director_a"].get("/interactions?mine=true").get_json()
    assert mine["items"] == []
    assert rep_a.get("/interactions?since=2026-11-01T00:00:00").status_code == 422
    assert rep_a.get(f"/interactions?account_id={world.account_b.id}").status_code == 404


def test_patch_with_stale_version_is_409(apis, world):
    interaction = world.interaction_a
    response = apis["rep_a"].patch(
        f"/interactions/{interaction.id}",
        json={"summary": "New", "version": interaction.version + 5},
    )
    assert response.status_code == 409
    ok = apis["rep_a"].patch(
        f"/interactions/{interaction.id}",
        json={"summary": "New", "cost": 12.5, "version": interaction.version},
    )
    assert ok.status_code == 200
    assert ok.get_json()["summary"] == "New" and ok.get_json()["cost"] == "12.50"
    assert ok.get_json()["version"] == 2


def test_patch_to_a_left_contact_is_refused(apis, world):
    gone = make_contact(account=world.account_a, left_on=world.contact_a.created_at.date())
    db.session.commit()
    response = apis["rep_a"].patch(
        f"/interactions/{world.interaction_a.id}", json={"contact_ids": [gone.id]}
    )
    assert response.status_code == 422


def test_rep_delete_is_403_director_deletes_and_restores(apis, world):
    path = f"/interactions/{world.interaction_a.id}"
    assert apis["rep_a"].delete(path).status_code == 403
    assert apis["director_b"].delete(path).status_code == 404
    assert apis["director_a"].delete(path).status_code == 204
    assert apis["rep_a"].get(path).status_code == 404
    assert apis["director_a"].get(path).get_json()["deleted_at"] is not None
    restored = apis["director_a"].post(path + "/restore")
    assert restored.status_code == 200 and restored.get_json()["deleted_at"] is None


def test_done_marks_next_step(apis, world, now):
    interaction = make_interaction(account=world.account_a, owner=world.rep_a, next_step="Call")
    db.session.commit()
    response = apis["rep_a"].post(
        f"/interactions/{interaction.id}/done", json={"version": interaction.version}
    )
    assert response.status_code == 200 and response.get_json()["next_step_done_at"]
