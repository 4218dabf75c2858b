"""The demo's deals without a database: about ten per account on the shipped playbooks, spread
over their stages, each consistent with the stages it passed; the showcase deals the demo logins
open first."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest

from salesflow.demo.showcase import LAST_MET_DAYS, QUIET_DAYS
from salesflow.playbooks.gates import ApprovalGate, FieldsGate, RolesGate
from tests.conftest import FROZEN_NOW
from tests.demo.test_generator import LINES, TODAY, _generate

ACCOUNTS = 400
PLAYBOOK_OF = {line.version_id: line.playbook for line in LINES.values()}


@pytest.fixture(scope="module")
def generated():
    return _generate(ACCOUNTS)


def _by(rows: list[dict], key: str) -> dict:
    found: dict = {}
    for row in rows:
        found.setdefault(row[key], []).append(row)
    return found


def _passed(deal: dict) -> tuple:
    """The stages the deal left forward."""
    stages = PLAYBOOK_OF[deal["playbook_version_id"]].stages
    keys = [s.key for s in stages]
    return stages if deal["status"] == "won" else stages[: keys.index(deal["stage_key"])]


def test_about_ten_deals_per_account_a_fifth_of_them_closed(generated):
    deals = generated[1].deals.opportunities
    assert 8 <= len(deals) / ACCOUNTS <= 12
    status = Counter(d["status"] for d in deals)
    assert 0.15 <= (status["won"] + status["lost"]) / len(deals) <= 0.25
    assert status["won"] and status["lost"]
    assert {d["playbook_version_id"] for d in deals} == {1, 2}


def test_open_deals_lean_to_early_stages_and_some_overrun_the_sla(generated):
    enterprise = LINES["enterprise"].playbook
    open_deals = [d for d in generated[1].deals.opportunities if d["status"] == "open"]
    stages = Counter(d["stage_key"] for d in open_deals if d["playbook_version_id"] == 1)
    counts = [stages[s.key] for s in enterprise.stages]
    assert counts[0] > counts[2] > counts[-1] > 0
    over = [
        d
        for d in open_deals
        if FROZEN_NOW - d["stage_entered_at"]
        > timedelta(days=PLAYBOOK_OF[d["playbook_version_id"]].stage(d["stage_key"]).sla_days)
    ]
    assert 0.08 <= len(over) / len(open_deals) <= 0.3


def test_amounts_and_close_dates_are_realistic(generated):
    for deal in generated[1].deals.opportunities:
        low, high = (500_000, 30_000_000) if deal["playbook_version_id"] == 1 else (20_000, 500_000)
        assert Decimal(low) <= deal["amount"] <= Decimal(high) and deal["currency"] == "CNY"
    closes = [
        d["expected_close"] for d in generated[1].deals.opportunities if d["status"] == "open"
    ]
    assert all(TODAY - timedelta(days=60) <= c <= TODAY + timedelta(days=270) for c in closes)
    slipped = [c for c in closes if c < TODAY]
    assert 0 < len(slipped) < 0.2 * len(closes)


def test_closed_deals_have_when_and_lost_ones_why(generated):
    for deal in generated[1].deals.opportunities:
        assert (deal["closed_at"] is None) == (deal["status"] == "open")
        if deal["status"] == "lost":
            assert deal["loss_reason"] and (deal["loss_reason"] != "other" or deal["close_reason"])
        if deal["status"] == "won":
            assert deal["stage_key"] == PLAYBOOK_OF[deal["playbook_version_id"]].last_stage.key


def test_deals_have_the_roles_and_fields_the_stages_they_passed_ask_for(generated):
    seats = _by(generated[1].deals.roles, "opportunity_id")
    for deal in generated[1].deals.opportunities:
        held = {r["role"] for r in seats[deal["id"]]}
        passed = _passed(deal)
        assert "AR" in held
        for gate in (g for s in passed for g in s.exit):
            if isinstance(gate, RolesGate):
                assert {r.value for r in gate.roles} <= held
            if isinstance(gate, FieldsGate):
                assert all(deal[f.value] for f in gate.fields)


def test_history_is_created_then_one_advance_per_stage_passed_then_closed(generated):
    changes = _by(generated[1].deals.changes, "opportunity_id")
    overridden = 0
    for deal in generated[1].deals.opportunities:
        moves = changes[deal["id"]]
        passed = _passed(deal)
        expected = ["created"] + ["advanced"] * (len(passed) - (deal["status"] == "won"))
        expected += [deal["status"]] if deal["status"] != "open" else []
        assert [m["move"] for m in moves] == expected
        assert [m["at"] for m in moves] == sorted(m["at"] for m in moves)
        assert moves[0]["at"] == deal["created_at"] and moves[-1]["to_stage"] == deal["stage_key"]
        for move in moves:
            assert move["gates_met"] != move["overridden"]
            overridden += move["overridden"] and bool(move["reason"] and move["gates"])
    assert overridden > 0


def test_decision_points_passed_were_approved_by_the_teams_director(generated):
    staff, batch = generated
    directors = set(staff.director_of.values())
    approvals = _by(batch.deals.approvals, "opportunity_id")
    for deal in batch.deals.opportunities:
        wanted = {g.key for s in _passed(deal) for g in s.exit if isinstance(g, ApprovalGate)}
        given = [a for a in approvals.get(deal["id"], []) if a["decision"] == "approve"]
        assert {a["gate_key"] for a in given} == wanted
        assert all(a["actor_id"] in directors for a in given)
    assert {"atb", "atc"} <= {a["gate_key"] for a in batch.deals.approvals}


def test_ticks_are_on_the_current_stages_checklist(generated):
    deals = {d["id"]: d for d in generated[1].deals.opportunities}
    ticks = generated[1].deals.ticks
    assert ticks
    for tick in ticks:
        deal = deals[tick["opportunity_id"]]
        stage = PLAYBOOK_OF[deal["playbook_version_id"]].stage(deal["stage_key"])
        assert tick["stage_key"] == stage.key and stage.item(tick["item_key"])
        assert tick["evidence"] and deal["stage_entered_at"] <= tick["ticked_at"] <= FROZEN_NOW


def test_about_a_third_of_interactions_work_on_a_deal_of_their_account_running_then(generated):
    batch = generated[1]
    deals = {d["id"]: d for d in batch.deals.opportunities}
    interactions = batch.history.interactions
    linked = [i for i in interactions if i["opportunity_id"] is not None]
    assert 0.22 <= len(linked) / len(interactions) <= 0.38
    for interaction in linked:
        deal = deals[interaction["opportunity_id"]]
        assert deal["account_id"] == interaction["account_id"]
        assert deal["created_at"] <= interaction["occurred_at"]
        assert deal["closed_at"] is None or interaction["occurred_at"] <= deal["closed_at"]


def test_showcase_accounts_hold_the_deals_the_demo_opens_with():
    staff, batch = _generate(6)
    first, second = batch.accounts[0]["id"], batch.accounts[3]["id"]  # east's first and second
    deals = _by(batch.deals.opportunities, "account_id")
    shape = next(d for d in deals[first] if d["stage_key"] == "shape")
    ticks = {t["item_key"] for t in batch.deals.ticks if t["opportunity_id"] == shape["id"]}
    assert ticks == {i.key for i in LINES["enterprise"].playbook.stage("shape").checklist}
    asked = [a for a in batch.deals.approvals if a["opportunity_id"] == shape["id"]]
    assert [(a["gate_key"], a["decision"]) for a in asked] == [("atb", "requested")]
    assert {"validate", "bid"} <= {d["stage_key"] for d in deals[second]}
    east_reps = {ids[0] for ids in staff.reps[batch.accounts[0]["team_id"]].values()}
    seated = {r["user_id"] for r in batch.deals.roles if r["opportunity_id"] == shape["id"]}
    assert seated <= east_reps


def test_nobody_met_the_second_showcase_accounts_decision_maker_for_weeks():
    _staff, batch = _generate(6)
    second = batch.accounts[3]["id"]
    tops = {
        c["id"]
        for c in batch.contacts
        if c["account_id"] == second and c["decision_role"] == "decision_maker"
    }
    when = {i["id"]: i["occurred_at"] for i in batch.history.interactions}
    met = [when[a["interaction_id"]] for a in batch.history.attendees if a["contact_id"] in tops]
    assert max(met) < FROZEN_NOW - timedelta(days=QUIET_DAYS)
    assert max(met).date() == (FROZEN_NOW - timedelta(days=LAST_MET_DAYS)).date()
