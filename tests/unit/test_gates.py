"""Every gate type of PLAYBOOKS.md, met and unmet, at its boundaries — pure, no database."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesflow.accounts.models import TeamRole
from salesflow.auth.models import Role
from salesflow.contacts.models import Attitude, DecisionRole, Level
from salesflow.interactions.models import Kind
from salesflow.playbooks import gates as g
from salesflow.playbooks import load_file
from salesflow.playbooks.evaluate import evaluate, evaluate_stage, unmet
from salesflow.playbooks.facts import (
    ApprovalFact,
    ContactFact,
    InteractionFact,
    OpportunityFacts,
    RoleFact,
)
from salesflow.playbooks.schema import Text

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
ENTERPRISE = Path(__file__).resolve().parents[2] / "playbooks" / "enterprise.yaml"


@pytest.fixture(scope="module")
def stage():
    playbook = load_file(ENTERPRISE)[0]
    return playbook.first_stage


def check(gate, facts, stage):
    return evaluate(gate, facts, NOW, stage)


def boss(**kwargs) -> ContactFact:
    return ContactFact(
        **{"id": 1, "name": "Zhang Wei", "decision_role": "decision_maker", **kwargs}
    )


def test_roles_need_an_active_user_in_every_listed_role(stage):
    gate = g.RolesGate(roles=(TeamRole.AR, TeamRole.SR), line=1)
    staffed = OpportunityFacts(roles=(RoleFact("AR", 1, "Li"), RoleFact("SR", 2, "Wang")))
    assert check(gate, staffed, stage).met
    gone = OpportunityFacts(roles=(RoleFact("AR", 1, "Li"), RoleFact("SR", 2, "Wang", False)))
    result = check(gate, gone, stage)
    assert not result.met and result.detail["missing"] == ["SR"] and result.hint == "assign_roles"


@pytest.mark.parametrize(
    "facts, met",
    [
        (OpportunityFacts(amount=Decimal("1"), customer_need="Grid upgrade"), True),
        (OpportunityFacts(amount=Decimal("0"), customer_need="Grid upgrade"), False),
        (OpportunityFacts(amount=None, customer_need="Grid upgrade"), False),
        (OpportunityFacts(amount=Decimal("5"), customer_need="   "), False),
    ],
)
def test_fields_amount_must_be_positive_and_text_not_blank(stage, facts, met):
    gate = g.FieldsGate(
        fields=(g.OpportunityField.amount, g.OpportunityField.customer_need), line=1
    )
    assert check(gate, facts, stage).met is met


@pytest.mark.parametrize(
    "attitude, met",
    [("champion", True), ("supporter", True), ("neutral", False), ("unknown", False)],
)
def test_contacts_attitude_at_least_the_threshold(stage, attitude, met):
    gate = g.ContactsGate(
        role=DecisionRole.coach, min=1, attitude_at_least=Attitude.supporter, line=1
    )
    coach = ContactFact(id=2, name="Sun", decision_role="coach", attitude=attitude)
    assert check(gate, OpportunityFacts(contacts=(coach,)), stage).met is met


def test_contacts_count_only_current_people_of_the_level(stage):
    gate = g.ContactsGate(role=DecisionRole.decision_maker, min=1, level=Level.executive, line=1)
    assert not check(gate, OpportunityFacts(contacts=(boss(level="management"),)), stage).met
    assert not check(
        gate, OpportunityFacts(contacts=(boss(level="executive", current=False),)), stage
    ).met
    assert check(gate, OpportunityFacts(contacts=(boss(level="executive"),)), stage).met


@pytest.mark.parametrize(
    "age, met", [(timedelta(days=30), True), (timedelta(days=30, seconds=1), False)]
)
def test_contacted_within_days_includes_exactly_n_days_ago(stage, age, met):
    gate = g.ContactedGate(role=DecisionRole.decision_maker, within_days=30, line=1)
    visit = InteractionFact(id=1, kind="visit", occurred_at=NOW - age, attendee_ids=frozenset({1}))
    result = check(gate, OpportunityFacts(contacts=(boss(),), interactions=(visit,)), stage)
    assert result.met is met
    if not met:
        assert "last contact Oct 21, 2026" in result.message and result.hint == "log_contact"


def test_contacted_ignores_deleted_interactions_and_departed_people(stage):
    gate = g.ContactedGate(role=DecisionRole.decision_maker, within_days=30, line=1)
    visit = InteractionFact(id=1, kind="visit", occurred_at=NOW, attendee_ids=frozenset({1}))
    deleted = InteractionFact(
        id=2, kind="visit", occurred_at=NOW, attendee_ids=frozenset({1}), deleted=True
    )
    assert not check(gate, OpportunityFacts(contacts=(boss(),), interactions=(deleted,)), stage).met
    assert "never contacted" in check(gate, OpportunityFacts(contacts=(boss(),)), stage).message
    left = OpportunityFacts(contacts=(boss(current=False),), interactions=(visit,))
    assert not check(gate, left, stage).met


def test_interactions_count_the_opportunitys_own_of_that_kind(stage):
    gate = g.InteractionsGate(kind=Kind.tech_exchange, min=1, within_days=90, line=1)
    elsewhere = InteractionFact(id=1, kind="tech_exchange", occurred_at=NOW)
    other_kind = InteractionFact(id=2, kind="visit", occurred_at=NOW, on_opportunity=True)
    too_old = InteractionFact(
        id=3, kind="tech_exchange", on_opportunity=True, occurred_at=NOW - timedelta(days=91)
    )
    assert not check(
        gate, OpportunityFacts(interactions=(elsewhere, other_kind, too_old)), stage
    ).met
    ours = InteractionFact(id=4, kind="tech_exchange", occurred_at=NOW, on_opportunity=True)
    assert check(gate, OpportunityFacts(interactions=(ours,)), stage).met


def test_checklist_names_the_unticked_items(stage):
    gate = g.ChecklistGate(items=("need_confirmed", "budget_known"), line=1)
    result = check(gate, OpportunityFacts(ticked=frozenset({"need_confirmed"})), stage)
    assert not result.met and result.detail["open"] == ["budget_known"]
    assert "Budget and its source identified" in result.message
    assert check(
        gate, OpportunityFacts(ticked=frozenset({"need_confirmed", "budget_known"})), stage
    ).met


def _approval(decision, role, minutes):
    return ApprovalFact("atb", decision, role, NOW - timedelta(minutes=minutes))


@pytest.mark.parametrize(
    "approvals, met",
    [
        ((), False),
        ((_approval("approve", "director", 10),), True),
        ((_approval("approve", "admin", 10),), True),
        ((_approval("approve", "rep", 10),), False),
        ((_approval("approve", "director", 10), _approval("reject", "director", 5)), False),
        ((_approval("reject", "director", 10), _approval("approve", "director", 5)), True),
        ((_approval("approve", "director", 10), _approval("reject", "rep", 5)), True),
    ],
)
def test_approval_latest_decision_by_a_director_or_admin_stands(stage, approvals, met):
    gate = g.ApprovalGate(key="atb", name=Text({"en": "Approve to bid"}), by=Role.director, line=1)
    assert check(gate, OpportunityFacts(approvals=approvals), stage).met is met


def test_enterprise_first_stage_lists_what_is_missing(stage):
    facts = OpportunityFacts(
        amount=Decimal("2000000"),
        expected_close=date(2027, 3, 1),
        customer_need="Grid upgrade",
        roles=(RoleFact("AR", 1, "Li"),),
        contacts=(boss(),),
        ticked=frozenset({"need_confirmed", "budget_known", "process_known"}),
    )
    results = evaluate_stage(stage, facts, NOW)
    assert [r.gate for r in results] == [gate.type for gate in stage.exit]
    assert [r.gate for r in unmet(results)] == ["roles"]


ENTERPRISE_FIRST_STAGE = load_file(ENTERPRISE)[0].first_stage  # read once, not per example


@settings(derandomize=True, deadline=None)  # deterministic, and no clock under a loaded machine
@given(st.lists(st.sampled_from([a.value for a in Attitude]), max_size=6))
def test_adding_a_qualifying_contact_never_unmeets_a_contacts_gate(attitudes):
    gate = g.ContactsGate(
        role=DecisionRole.coach, min=2, attitude_at_least=Attitude.supporter, line=1
    )
    stage = ENTERPRISE_FIRST_STAGE
    people = tuple(
        ContactFact(id=n, name=f"C{n}", decision_role="coach", attitude=a)
        for n, a in enumerate(attitudes)
    )
    before = check(gate, OpportunityFacts(contacts=people), stage)
    champion = ContactFact(id=99, name="Champion", decision_role="coach", attitude="champion")
    after = check(gate, OpportunityFacts(contacts=(*people, champion)), stage)
    assert after.met or not before.met
    qualifying = sum(a in ("champion", "supporter") for a in attitudes)
    assert after.met is (qualifying + 1 >= 2)
