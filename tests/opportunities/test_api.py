"""The opportunities and playbooks API (API.md): shapes, scope, moves and their gates, checklist,
approvals, history, and bad input answered 422 (never a 500)."""

import pytest
import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.opportunities.models import Move, StageChange
from salesflow.playbooks import registry
from salesflow.playbooks.models import PlaybookVersion
from tests import factories as f
from tests.conftest import api_as

GATES_UNMET_KEYS = {"code", "message", "unmet"}


def _ready(world, **overrides):
    """A transactional deal on account_a whose `qualify` gates (AR; amount, close date) hold."""
    return f.make_opportunity(
        account=world.account_a,
        playbook="transactional",
        roles={world.rep_a: "AR"},
        **overrides,
    )


def _new(world, **overrides):
    return {
        "account_id": world.account_a.id,
        "name": "Pumps for line 3",
        "playbook": "transactional",
        **overrides,
    }


def _stage_changes(deal) -> list[StageChange]:
    query = sa.select(StageChange).where(StageChange.opportunity_id == deal.id)
    return list(db.session.scalars(query.order_by(StageChange.id)))


# Playbooks


def test_playbooks_list_every_loaded_playbook_with_stages_and_gates(app, world):
    body = api_as(app, world.rep_a).get("/playbooks").get_json()
    by_key = {p["key"]: p for p in body}
    assert {"enterprise", "transactional"} <= set(by_key)
    transactional = by_key["transactional"]
    assert transactional["name"] == {"en": "Transactional deal", "zh": "常规交易"}
    assert transactional["active"] and transactional["version"] in transactional["versions"]
    qualify, quote, order = transactional["stages"]
    assert qualify["key"] == "qualify" and qualify["probability"] == 20
    assert qualify["exit"] == [
        {"type": "roles", "roles": ["AR"]},
        {"type": "fields", "fields": ["amount", "expected_close"]},
    ]
    assert quote["checklist"][0]["key"] == "quote_sent"
    assert quote["exit"][0] == {"type": "contacted", "role": "decision_maker", "within_days": 14}


def test_playbook_by_key_shows_approval_gates_with_their_texts(app, world):
    api = api_as(app, world.rep_a)
    body = api.get("/playbooks/enterprise").get_json()
    shape = next(s for s in body["stages"] if s["key"] == "shape")
    approval = shape["exit"][-1]
    assert approval == {
        "type": "approval",
        "key": "atb",
        "name": {"en": "Approve to bid", "zh": "投标决策"},
        "by": "director",
    }
    assert api.get(f"/playbooks/enterprise?version={body['version']}").get_json() == body


def test_a_stored_version_whose_file_is_gone_is_listed_as_inactive(app, world, now):
    source = registry.file_playbooks()["transactional"].source_text
    legacy = source.replace("key: transactional", "key: legacy").replace("version: 2", "version: 3")
    row = PlaybookVersion(
        key="legacy",
        version=3,
        content_hash="0" * 64,
        name={"en": "Legacy"},
        source=legacy,
        loaded_at=now,
    )
    db.session.add(row)
    api = api_as(app, world.rep_a)
    listed = {p["key"]: p for p in api.get("/playbooks").get_json()}
    assert listed["legacy"]["active"] is False and listed["legacy"]["versions"] == [3]
    body = api.get("/playbooks/legacy").get_json()
    assert body["version"] == 3 and [s["key"] for s in body["stages"]] == [
        "qualify",
        "quote",
        "order",
    ]
    assert api.get("/playbooks/legacy?version=3").get_json() == body
    assert api.get("/playbooks/legacy?version=1").status_code == 404


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/playbooks/nothing", 404),
        ("/playbooks/enterprise?version=99", 404),
        ("/playbooks/enterprise?version=x", 422),
        ("/playbooks/enter%00prise", 404),
    ],
)
def test_unknown_playbook_or_version(app, world, path, status):
    assert api_as(app, world.rep_a).get(path).status_code == status


# Create, read, change, list


def test_create_get_patch_and_list(app, world, now):
    api = api_as(app, world.rep_a)
    created = api.post(
        "/opportunities",
        json=_new(world, amount="120000.50", expected_close="2027-01-31", currency="cny"),
    )
    assert created.status_code == 201
    body = created.get_json()
    assert body["stage"] == "qualify" and body["status"] == "open" and body["version"] == 1
    assert body["stage_name"] == {"en": "Qualify", "zh": "确认需求"}
    assert body["amount"] == "120000.50" and body["currency"] == "CNY"
    assert body["probability"] == 20 and body["weighted_amount"] == "24000.10"
    assert body["playbook"] == "transactional" and body["playbook_version"] == 2
    assert body["roles"] == [{"user_id": world.rep_a.id, "name": "Li Ming", "role": "AR"}]
    assert body["stage_entered_at"].startswith("2026-11-20T09:30:00")
    assert api.get(f"/opportunities/{body['id']}").get_json() == body
    patched = api.patch(f"/opportunities/{body['id']}", json={"competitors": "Acme", "version": 1})
    assert patched.status_code == 200
    assert patched.get_json()["competitors"] == "Acme" and patched.get_json()["version"] == 2
    listed = api.get("/opportunities", query_string={"q": "pumps"}).get_json()
    assert [o["id"] for o in listed["items"]] == [body["id"]] and listed["next_cursor"] is None


def test_amount_is_optional_and_weighted_amount_is_then_zero(app, world):
    body = api_as(app, world.rep_a).post("/opportunities", json=_new(world)).get_json()
    assert body["amount"] is None and body["weighted_amount"] == "0.00"


def test_patch_with_a_stale_version_is_409_and_changes_nothing(app, world):
    deal = _ready(world)
    api = api_as(app, world.rep_a)
    fresh = api.patch(f"/opportunities/{deal.id}", json={"name": "New", "version": 1})
    assert fresh.status_code == 200 and fresh.get_json()["version"] == 2
    stale = api.patch(f"/opportunities/{deal.id}", json={"name": "Old", "version": 1})
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "conflict"
    assert api.get(f"/opportunities/{deal.id}").get_json()["name"] == "New"


def test_patch_cannot_move_a_deal_to_another_account_or_playbook(app, world):
    deal = _ready(world)
    response = api_as(app, world.rep_a).patch(
        f"/opportunities/{deal.id}",
        json={"account_id": world.shared.id, "playbook": "enterprise", "version": 1},
    )
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"account_id", "playbook"}


def test_list_filters_and_pages_by_cursor(app, world):
    deals = [_ready(world, name=f"Deal {n}") for n in range(5)]
    won = _ready(world, name="Won deal", status="won")
    lost = f.make_opportunity(account=world.shared, name="Shared lost", status="lost")
    api = api_as(app, world.rep_a)
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("/opportunities", query_string=query).get_json()
        seen += [o["id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [d.id for d in deals]  # open only by default, by id
    every = api.get("/opportunities", query_string={"status": "all"}).get_json()["items"]
    assert {o["id"] for o in every} == {d.id for d in deals} | {won.id, lost.id}
    filters = {
        "status": "won",
        "playbook": "transactional",
        "stage": "qualify",
        "account_id": world.account_a.id,
        "close_month": "2027-03",
        "mine": "true",
        "owner_id": world.rep_a.id,
        "team_id": world.team_a.id,
    }
    found = api.get("/opportunities", query_string=filters).get_json()["items"]
    assert [o["id"] for o in found] == [won.id]
    other_month = api.get("/opportunities", query_string={"close_month": "2027-04"}).get_json()
    assert other_month["items"] == []


@pytest.mark.parametrize(
    "query",
    [
        {"close_month": "2027-13"},
        {"close_month": "March"},
        {"status": "pending"},
        {"limit": 0},
        {"cursor": "%%%"},
        {"team_id": "x"},
    ],
)
def test_bad_list_filters_are_422(app, world, query):
    response = api_as(app, world.rep_a).get("/opportunities", query_string=query)
    assert response.status_code == 422


# Scope and permissions


def test_rep_of_another_team_gets_404_for_a_deal_outside_scope(app, world):
    deal = _ready(world)
    api = api_as(app, world.rep_b)
    for path in ("", "/gates", "/history"):
        assert api.get(f"/opportunities/{deal.id}{path}").status_code == 404
    assert (
        api.patch(f"/opportunities/{deal.id}", json={"name": "x", "version": 1}).status_code == 404
    )
    assert api.post(f"/opportunities/{deal.id}/advance", json={"version": 1}).status_code == 404
    assert deal.id not in {o["id"] for o in api.get("/opportunities").get_json()["items"]}
    created = api.post("/opportunities", json=_new(world))
    assert created.status_code == 404


def test_rep_on_the_account_team_works_a_deal_of_another_team(app, world):
    deal = f.make_opportunity(account=world.shared, playbook="transactional")
    api = api_as(app, world.rep_b)
    assert api.get(f"/opportunities/{deal.id}").status_code == 200
    assert (
        api.patch(f"/opportunities/{deal.id}", json={"amount": 5, "version": 1}).status_code == 200
    )


def test_rep_overriding_unmet_gates_is_403_and_nothing_moves(app, world):
    deal = _ready(world, amount=None)
    response = api_as(app, world.rep_a).post(
        f"/opportunities/{deal.id}/advance",
        json={"override_reason": "Customer is in a hurry", "version": deal.version},
    )
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
    assert deal.stage_key == "qualify" and len(_stage_changes(deal)) == 0


def test_director_of_the_team_overrides_and_history_shows_it(app, world):
    deal = _ready(world, amount=None)
    api = api_as(app, world.director_a)
    response = api.post(
        f"/opportunities/{deal.id}/advance",
        json={"override_reason": "Budget confirmed by phone", "version": deal.version},
    )
    assert response.status_code == 200 and response.get_json()["stage"] == "quote"
    (change,) = api.get(f"/opportunities/{deal.id}/history").get_json()
    assert change["move"] == "advanced" and change["overridden"] is True
    assert change["gates_met"] is False and change["reason"] == "Budget confirmed by phone"
    assert change["actor_id"] == world.director_a.id and change["actor_name"] == "Director North"
    assert {"gate": "fields", "met": False}.items() <= change["gates"][1].items()
    # said in the caller's language from the facts kept with the move, the fields by label
    chinese = api.get(
        f"/opportunities/{deal.id}/history", headers={"Accept-Language": "zh-CN"}
    ).get_json()
    assert change["gates"][1]["message"] == "Fill in: Amount"
    assert chinese[0]["gates"][1]["message"] == "请填写：金额"


def test_director_of_another_team_cannot_override(app, world):
    deal = f.make_opportunity(account=world.account_b, playbook="transactional", amount=None)
    response = api_as(app, world.director_a).post(
        f"/opportunities/{deal.id}/advance", json={"override_reason": "x", "version": 1}
    )
    assert response.status_code == 404  # outside director_a's scope altogether


def test_rep_approving_is_403_and_requesting_is_allowed(app, world):
    deal = f.make_opportunity(account=world.account_a, stage="shape", roles={world.rep_a: "AR"})
    api = api_as(app, world.rep_a)
    body = {"stage": "shape", "gate": "atb", "decision": "approve", "comment": "Fine"}
    refused = api.post(f"/opportunities/{deal.id}/approvals", json=body)
    assert refused.status_code == 403
    requested = api.post(
        f"/opportunities/{deal.id}/approvals", json={**body, "decision": "request"}
    )
    assert requested.status_code == 201
    assert requested.get_json()["decision"] == "request"


def test_director_approves_and_the_gate_is_met(app, world, now):
    deal = f.make_opportunity(account=world.account_a, stage="shape", roles={world.rep_a: "AR"})
    api = api_as(app, world.director_a)
    response = api.post(
        f"/opportunities/{deal.id}/approvals",
        json={"stage": "shape", "gate": "atb", "decision": "approve", "comment": "Go"},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert (body["stage"], body["gate"], body["decision"]) == ("shape", "atb", "approve")
    assert body["actor_id"] == world.director_a.id and body["comment"] == "Go" and body["id"]
    gates = api.get(f"/opportunities/{deal.id}/gates").get_json()["gates"]
    assert next(g for g in gates if g["gate"] == "approval")["met"] is True


def test_rejecting_needs_a_comment(app, world):
    deal = f.make_opportunity(account=world.account_a, stage="shape")
    response = api_as(app, world.director_a).post(
        f"/opportunities/{deal.id}/approvals",
        json={"stage": "shape", "gate": "atb", "decision": "reject"},
    )
    assert response.status_code == 422 and "comment" in response.get_json()["error"]["fields"]


# Gates and moves


def test_gates_unmet_body_is_exactly_the_contract(app, world):
    deal = _ready(world, amount=None, expected_close=None)
    api = api_as(app, world.rep_a)
    response = api.post(f"/opportunities/{deal.id}/advance", json={"version": deal.version})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert set(error) == GATES_UNMET_KEYS and error["code"] == "gates_unmet" and error["message"]
    (unmet,) = error["unmet"]
    assert set(unmet) == {"gate", "message", "hint"}
    assert unmet["gate"] == "fields" and unmet["hint"] == "edit_fields"
    # the fields by the deal form's labels, not their keys
    assert unmet["message"] == "Fill in: Amount, Expected close"
    assert api.get(f"/opportunities/{deal.id}").get_json()["stage"] == "qualify"


def test_gates_show_each_exit_criterion_of_the_current_stage(app, world):
    deal = _ready(world, amount=None)
    body = api_as(app, world.rep_a).get(f"/opportunities/{deal.id}/gates").get_json()
    assert body["stage"] == "qualify" and body["all_met"] is False
    assert [(g["gate"], g["met"]) for g in body["gates"]] == [("roles", True), ("fields", False)]
    assert body["gates"][1]["hint"] == "edit_fields" and body["gates"][0]["message"]


def test_checklist_tick_then_the_gates_are_met_and_untick_unmeets(app, world):
    deal = _ready(world, stage="quote")
    f.make_interaction(account=world.account_a, owner=world.rep_a, contacts=[world.contact_a])
    api = api_as(app, world.rep_a)
    assert api.get(f"/opportunities/{deal.id}/gates").get_json()["all_met"] is False
    tick = api.post(
        f"/opportunities/{deal.id}/checklist",
        json={"stage": "quote", "item": "quote_sent", "evidence": "Quote Q-17 sent by mail"},
    )
    assert tick.status_code == 201
    assert tick.get_json() == {
        "stage": "quote",
        "item": "quote_sent",
        "evidence": "Quote Q-17 sent by mail",
        "ticked_by_id": world.rep_a.id,
        "ticked_at": tick.get_json()["ticked_at"],
    }
    assert api.get(f"/opportunities/{deal.id}/gates").get_json()["all_met"] is True
    untick = api.delete(f"/opportunities/{deal.id}/checklist/quote/quote_sent")
    assert untick.status_code == 204
    assert api.get(f"/opportunities/{deal.id}/gates").get_json()["all_met"] is False
    again = api.delete(f"/opportunities/{deal.id}/checklist/quote/quote_sent")
    assert again.status_code == 422


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"stage": "order", "item": "order_received", "evidence": "x"}, "stage"),
        ({"stage": "qualify", "item": "nothing", "evidence": "x"}, "stage"),
        ({"stage": "quote", "item": "nothing", "evidence": "x"}, "item"),
        ({"stage": "quote", "item": "quote_sent", "evidence": " "}, "evidence"),
        ({"stage": "quote", "item": "quote_sent"}, "evidence"),
    ],
)
def test_bad_checklist_ticks_are_422(app, world, body, field):
    deal = _ready(world, stage="quote")
    response = api_as(app, world.rep_a).post(f"/opportunities/{deal.id}/checklist", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_advance_back_close_reopen_and_the_history_in_order(app, world):
    deal = _ready(world)
    rep, director = api_as(app, world.rep_a), api_as(app, world.director_a)
    path = f"/opportunities/{deal.id}"
    advanced = rep.post(f"{path}/advance", json={"to_stage": "quote", "version": 1})
    assert advanced.status_code == 200 and advanced.get_json()["probability"] == 50
    back = rep.post(
        f"{path}/back", json={"to_stage": "qualify", "reason": "Scope changed", "version": 2}
    )
    assert back.status_code == 200 and back.get_json()["stage"] == "qualify"
    lost = rep.post(f"{path}/close", json={"status": "lost", "reason": "Price", "version": 3})
    assert lost.status_code == 200
    assert lost.get_json()["status"] == "lost" and lost.get_json()["loss_reason"] == "price"
    assert lost.get_json()["loss_reason_name"] == {"en": "Price", "zh": "价格"}
    assert lost.get_json()["close_reason"] is None  # the name is the reason, no note
    assert lost.get_json()["closed_at"]
    assert rep.post(f"{path}/reopen", json={"reason": "Back", "version": 4}).status_code == 403
    reopened = director.post(f"{path}/reopen", json={"reason": "New budget", "version": 4})
    assert reopened.status_code == 200 and reopened.get_json()["status"] == "open"
    history = rep.get(f"{path}/history").get_json()
    assert [(h["move"], h["from_stage"], h["to_stage"]) for h in history] == [
        ("advanced", "qualify", "quote"),
        ("moved_back", "quote", "qualify"),
        ("lost", "qualify", "qualify"),
        ("reopened", "qualify", "qualify"),
    ]
    assert history[0]["gates"] == [
        {"gate": "roles", "met": True, "message": history[0]["gates"][0]["message"]},
        {"gate": "fields", "met": True, "message": history[0]["gates"][1]["message"]},
    ]
    assert history[1]["reason"] == "Scope changed" and history[3]["actor_id"] == world.director_a.id


def test_close_won_from_the_last_stage_when_its_gates_hold(app, world):
    deal = _ready(world, stage="order")
    api = api_as(app, world.rep_a)
    refused = api.post(f"/opportunities/{deal.id}/close", json={"status": "won", "version": 1})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "gates_unmet"
    api.post(
        f"/opportunities/{deal.id}/checklist",
        json={"stage": "order", "item": "order_received", "evidence": "PO 4411"},
    )
    won = api.post(f"/opportunities/{deal.id}/close", json={"status": "won", "version": 1})
    assert won.status_code == 200 and won.get_json()["status"] == "won"
    assert _stage_changes(deal)[-1].move == Move.won


def test_advance_with_a_stale_version_is_409(app, world):
    deal = _ready(world)
    api = api_as(app, world.rep_a)
    renamed = api.patch(f"/opportunities/{deal.id}", json={"name": "Renamed", "version": 1})
    assert renamed.status_code == 200
    stale = api.post(f"/opportunities/{deal.id}/advance", json={"version": 1})
    assert stale.status_code == 409
    assert api.get(f"/opportunities/{deal.id}").get_json()["stage"] == "qualify"


# Iron triangle


def test_put_roles_replaces_the_iron_triangle(app, world):
    deal = _ready(world)
    api = api_as(app, world.rep_a)
    seats = [{"user_id": world.rep_a2.id, "role": "AR"}, {"user_id": world.rep_a.id, "role": "SR"}]
    response = api.put(f"/opportunities/{deal.id}/roles", json=seats)
    assert response.status_code == 200
    assert response.get_json() == [
        {"user_id": world.rep_a2.id, "name": "Zhao Lei", "role": "AR"},
        {"user_id": world.rep_a.id, "name": "Li Ming", "role": "SR"},
    ]
    assert api.get(f"/opportunities/{deal.id}").get_json()["roles"] == response.get_json()


@pytest.mark.parametrize(
    "seats",
    [
        [{"user_id": 1, "role": "CEO"}],
        [{"user_id": "1", "role": "AR"}],
        {"user_id": 1},
        [{"user_id": 2**31 - 1, "role": "AR"}],
        [{"user_id": 1, "role": "AR", "extra": 1}],
    ],
)
def test_bad_roles_are_422(app, world, seats):
    deal = _ready(world)
    response = api_as(app, world.rep_a).put(f"/opportunities/{deal.id}/roles", json=seats)
    assert response.status_code == 422


def test_two_people_in_one_seat_is_422(app, world):
    deal = _ready(world)
    seats = [{"user_id": world.rep_a.id, "role": "AR"}, {"user_id": world.rep_a2.id, "role": "AR"}]
    response = api_as(app, world.rep_a).put(f"/opportunities/{deal.id}/roles", json=seats)
    assert response.status_code == 422 and "roles" in response.get_json()["error"]["fields"]


# Bad input: 422 on the field, never a 500


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"amount": "abc"}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"currency": "euro"}, "currency"),
        ({"currency": "€UR"}, "currency"),
        ({"expected_close": "next week"}, "expected_close"),
        ({"playbook": "agile"}, "playbook"),
        ({"name": ""}, "name"),
        ({"name": "Line\x00"}, "name"),
        ({"customer_need": "a\x00"}, "customer_need"),
        ({"account_id": "1"}, "account_id"),
        ({"colour": "red"}, "colour"),
        ({"competitors": "x" * 501}, "competitors"),
    ],
)
def test_bad_input_on_create_is_422_on_the_field(app, world, override, field):
    response = api_as(app, world.rep_a).post("/opportunities", json=_new(world, **override))
    assert response.status_code == 422
    assert any(name.split(".")[0] == field for name in response.get_json()["error"]["fields"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"to_stage": "order", "version": 1}, "to_stage"),
        ({"to_stage": "qualify", "version": 1}, "to_stage"),
        ({"to_stage": "nowhere", "version": 1}, "to_stage"),
        ({}, "version"),
        ({"version": "1"}, "version"),
        ({"version": 1, "override_reason": "a\x00"}, "override_reason"),
        ({"version": 1, "to_stage": "quote\x00"}, "to_stage"),
        ({"version": 1, "force": True}, "force"),
    ],
)
def test_bad_advance_is_422_on_the_field_and_nothing_moves(app, world, body, field):
    deal = _ready(world)
    response = api_as(app, world.rep_a).post(f"/opportunities/{deal.id}/advance", json=body)
    assert response.status_code == 422
    assert any(name.split(".")[0] == field for name in response.get_json()["error"]["fields"])
    assert deal.stage_key == "qualify" and _stage_changes(deal) == []


@pytest.mark.parametrize(
    ("stage", "path", "body", "field", "message"),
    [
        (
            "qualify",
            "back",
            {"to_stage": "quote", "reason": "x"},
            "to_stage",
            "Choose an earlier stage.",
        ),
        (
            "quote",
            "back",
            {"to_stage": "qualify", "reason": " "},
            "reason",
            "String should have at least 1 character",
        ),
        ("quote", "close", {"status": "lost"}, "reason", "Say why the opportunity was lost."),
        (
            "quote",
            "close",
            {"status": "abandoned", "reason": "x"},
            "status",
            "Input should be 'won' or 'lost'",
        ),
        (
            "quote",
            "close",
            {"status": "won"},
            "status",
            "An opportunity is won only from the last stage, Get the order.",
        ),
        ("quote", "reopen", {"reason": "x"}, "status", "This opportunity is open."),
        (
            "quote",
            "checklist",
            {"stage": "quote\x00", "item": "quote_sent", "evidence": "y"},
            "stage",
            "Value error, Text must not contain NUL characters or lone surrogates.",
        ),
        (
            "enterprise:shape",
            "approvals",
            {"stage": "shape", "gate": "atb", "decision": "maybe"},
            "decision",
            "Input should be 'approve', 'reject' or 'request'",
        ),
    ],
    ids=[
        "back to a later stage",
        "back without a reason",
        "lost without a reason",
        "neither won nor lost",
        "won before the last stage",
        "reopening an open deal",
        "a NUL in the checklist's stage",
        "an unknown decision",
    ],
)
def test_bad_moves_and_actions_are_422(app, world, stage, path, body, field, message):
    # each body is sound but for the one field named, so it is refused for that reason alone
    playbook, _, stage = stage.rpartition(":")
    deal = f.make_opportunity(
        account=world.account_a,
        playbook=playbook or "transactional",
        stage=stage,
        roles={world.rep_a: "AR"},
    )
    if path in ("back", "close", "reopen"):  # moves name the version read
        body = {**body, "version": deal.version}
    response = api_as(app, world.director_a).post(f"/opportunities/{deal.id}/{path}", json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {field: [message]}
    assert (deal.stage_key, deal.status.value, _stage_changes(deal)) == (stage, "open", [])


def test_nul_in_an_untick_path_is_422(app, world):
    deal = _ready(world, stage="quote")
    response = api_as(app, world.rep_a).delete(f"/opportunities/{deal.id}/checklist/quote/a%00b")
    assert response.status_code == 422


def test_a_closed_deal_cannot_be_changed(app, world):
    deal = _ready(world, status="lost")
    change = {"name": "x", "version": 1}
    response = api_as(app, world.rep_a).patch(f"/opportunities/{deal.id}", json=change)
    assert response.status_code == 422 and "status" in response.get_json()["error"]["fields"]


# The OpenAPI document


def test_every_endpoint_is_documented_with_its_errors(app):
    paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    expected = {
        "/api/v1/playbooks": {"get"},
        "/api/v1/playbooks/{key}": {"get"},
        "/api/v1/opportunities": {"get", "post"},
        "/api/v1/opportunities/{opportunity_id}": {"get", "patch"},
        "/api/v1/opportunities/{opportunity_id}/roles": {"put"},
        "/api/v1/opportunities/{opportunity_id}/gates": {"get"},
        "/api/v1/opportunities/{opportunity_id}/advance": {"post"},
        "/api/v1/opportunities/{opportunity_id}/back": {"post"},
        "/api/v1/opportunities/{opportunity_id}/close": {"post"},
        "/api/v1/opportunities/{opportunity_id}/reopen": {"post"},
        "/api/v1/opportunities/{opportunity_id}/checklist": {"post"},
        "/api/v1/opportunities/{opportunity_id}/checklist/{stage}/{item}": {"delete"},
        "/api/v1/opportunities/{opportunity_id}/approvals": {"post"},
        "/api/v1/opportunities/{opportunity_id}/history": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
        for method in methods:
            assert {"401"} <= set(paths[path][method]["responses"]), (method, path)
            if "{opportunity_id}" in path:
                assert "404" in paths[path][method]["responses"], (method, path)
    advance = paths["/api/v1/opportunities/{opportunity_id}/advance"]["post"]["responses"]
    assert {"403", "409", "422"} <= set(advance)
