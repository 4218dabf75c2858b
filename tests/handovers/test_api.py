"""The handovers API (API.md): from_user_id, to_user_id, account_ids, due_date, the checklist
items and completion; pages of {"items", "next_cursor"}; reps may not plan (403), outside the
scope is a 404, bad input a 422 on its fields with nothing saved."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from salesflow import clock
from salesflow.extensions import db
from salesflow.handovers.models import Handover
from tests import factories as f
from tests.conftest import api_as
from tests.handovers.conftest import plan

FIELDS = {
    "id",
    "from_user_id",
    "to_user_id",
    "account_ids",
    "due_date",
    "created_by_id",
    "created_at",
    "completed_at",
    "complete",
    "overdue",
    "completion",
    "items",
    "accounts",
}


def _body(world, **overrides) -> dict:
    return {
        "from_user_id": world.rep_a.id,
        "to_user_id": world.rep_a2.id,
        "account_ids": [world.account_a.id],
        "due_date": "2026-12-15",
        **overrides,
    }


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Handover))


def test_create_and_get_have_the_contract_fields_and_checklist(app, world, now):
    api = api_as(app, world.director_a)
    created = api.post("/handovers", json=_body(world))
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert set(body) == FIELDS
    assert (body["from_user_id"], body["to_user_id"], body["account_ids"], body["due_date"]) == (
        world.rep_a.id,
        world.rep_a2.id,
        [world.account_a.id],
        "2026-12-15",
    )
    assert body["completion"] == {"done": 0, "total": 3, "percent": 0}
    assert body["complete"] is False and body["overdue"] is False
    assert {(i["item"], i["contact_id"], i["done"]) for i in body["items"]} == {
        ("roles_transferred", None, False),
        ("joint_contact", world.contact_a.id, False),
        ("confirmed", world.contact_a.id, False),
    }
    assert body["accounts"] == [
        {"account_id": world.account_a.id, "risk_before": "high", "risk_now": "high"}
    ]
    assert api.get(f"/handovers/{body['id']}").get_json() == body


def test_without_account_ids_every_account_of_the_person_is_handed_over(app, world, now):
    body = _body(world)
    del body["account_ids"]
    created = api_as(app, world.leader).post("/handovers", json=body).get_json()
    assert set(created["account_ids"]) == {world.account_a.id, world.shared.id}


def test_transfer_and_confirm_move_completion(app, world, now):
    handover = plan(world, now=now)
    planner, successor = api_as(app, world.director_a), api_as(app, world.rep_a2)
    moved = planner.post(f"/handovers/{handover.id}/transfer")
    assert moved.status_code == 200 and moved.get_json()["completion"]["done"] == 1
    confirmed = successor.post(
        f"/handovers/{handover.id}/confirmations",
        json={"contact_id": world.contact_a.id, "attitude": "champion"},
    )
    assert confirmed.status_code == 200, confirmed.get_json()
    assert confirmed.get_json()["completion"]["percent"] == 66
    item = next(i for i in confirmed.get_json()["items"] if i["item"] == "confirmed")
    assert item["done"] and item["confirmed_at"]
    assert world.contact_a.attitude == "champion"
    refused = planner.post(
        f"/handovers/{handover.id}/confirmations", json={"contact_id": world.contact_a.id}
    )
    assert refused.status_code == 403
    assert successor.post(f"/handovers/{handover.id}/transfer").status_code == 403


def test_the_list_is_paginated_and_scoped(app, world, now):
    mine = [plan(world, now=now).id for _ in range(3)]
    plan(
        world,
        actor=world.leader,
        from_user_id=world.rep_b.id,
        to_user_id=world.rep_a2.id,
        accounts=[world.account_b],
        now=now,
    )
    api = api_as(app, world.rep_a)
    first = api.get("/handovers?limit=2").get_json()
    assert set(first) == {"items", "next_cursor"} and first["next_cursor"]
    second = api.get(f"/handovers?limit=2&cursor={first['next_cursor']}").get_json()
    assert [h["id"] for h in first["items"] + second["items"]] == mine
    assert second["next_cursor"] is None
    assert len(api_as(app, world.leader).get("/handovers").get_json()["items"]) == 4


def test_reps_may_not_plan_and_outside_the_scope_is_404(app, world, now):
    handover = plan(world, now=now)
    rep = api_as(app, world.rep_a)
    assert rep.post("/handovers", json=_body(world)).status_code == 403
    assert rep.get(f"/handovers/{handover.id}").status_code == 200
    outsider = api_as(app, world.rep_b)
    assert outsider.get(f"/handovers/{handover.id}").status_code == 404
    assert outsider.post(f"/handovers/{handover.id}/transfer").status_code == 404
    assert api_as(app, world.director_b).get(f"/handovers/{handover.id}").status_code == 404
    assert _count() == 1


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"to_user_id": "same"}, {"to_user_id"}),
        ({"to_user_id": "inactive"}, {"to_user_id"}),
        ({"due_date": "2026-11-19"}, {"due_date"}),
        ({"due_date": "soon"}, {"due_date"}),
        ({"account_ids": []}, {"account_ids"}),
        ({"account_ids": [999_999]}, {"account_ids"}),
        ({"account_ids": ["x"]}, {"account_ids.0"}),
        ({"to_user_id": "rep_b"}, {"to_user_id"}),  # a director's plan outside the team
        ({"extra": 1}, {"extra"}),
        (
            {"to_user_id": "same", "due_date": "2026-01-01", "account_ids": []},
            {"to_user_id", "due_date", "account_ids"},
        ),
    ],
)
def test_bad_input_is_422_on_its_fields_and_saves_nothing(app, world, now, overrides, fields):
    values = {
        "same": world.rep_a.id,
        "rep_b": world.rep_b.id,
        "inactive": f.make_user(team=world.team_a, active=False).id,
    }
    overrides = {k: values.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()}
    response = api_as(app, world.director_a).post("/handovers", json=_body(world, **overrides))
    assert response.status_code == 422, response.get_json()
    assert set(response.get_json()["error"]["fields"]) == fields
    assert _count() == 0


def test_overdue_is_reported_after_the_due_date(app, world, now):
    handover = plan(world, now=now)
    with clock.frozen(now + timedelta(days=40)):
        body = api_as(app, world.leader).get(f"/handovers/{handover.id}").get_json()
    assert body["overdue"] is True and body["complete"] is False
