"""Adding a gate type is one class and one registry line (STYLE.md rule 9): a type defined here and
registered for the test is read from a playbook file (a bad value refused with its own message),
evaluated, refuses an advance with its hint, and offers its action on the deal page."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from inspect import getattr_static
from typing import Any, ClassVar

import pytest
from flask import url_for

from salesflow.errors import GatesUnmet
from salesflow.opportunities import detail, moves
from salesflow.playbooks import gates, registry
from salesflow.playbooks.evaluate import evaluate_stage
from salesflow.playbooks.facts import OpportunityFacts
from salesflow.playbooks.gates import ActionTarget, Gate, GateContext, GateResult
from salesflow.playbooks.loader import load_text
from salesflow.playbooks.reader import is_whole, show
from salesflow.playbooks.schema import Stage
from tests import factories as f


@dataclass(frozen=True, kw_only=True)
class MinAmountGate(Gate):
    """The deal's amount is at least `amount` (`- min_amount: 50000`)."""

    type: ClassVar[str] = "min_amount"
    hint: ClassVar[str] = "raise_amount"
    action_label: ClassVar[Any] = "Raise the amount"
    amount: int

    @classmethod
    def parse(cls, params: Any, line: int, ctx: GateContext) -> "MinAmountGate | None":
        if is_whole(params) and params >= 1:
            return cls(amount=params, line=line)
        ctx.reader.problem(line, f"min_amount gate needs a whole number, not {show(params)}")
        return None

    def evaluate(self, facts: OpportunityFacts, now: datetime, stage: Stage) -> GateResult:
        if facts.amount is not None and facts.amount >= self.amount:
            return self.met(f"Amount of at least {self.amount}")
        return self.unmet(f"The amount is below {self.amount}", needed=self.amount)

    def action_url(self, deal: ActionTarget, facts: OpportunityFacts) -> str | None:
        return url_for("opportunities.edit", opportunity_id=deal.opportunity_id) + "#amount"


# A valid playbook whose first stage has the new gate on line 9 (and a shipped one after it).
SOURCE = """\
key: sample-gate
version: 1
name: {en: "Sample"}
stages:
  - key: first
    name: {en: "First"}
    probability: 10
    sla_days: 7
    exit:
      - min_amount: AMOUNT
      - roles: [AR]
  - key: second
    name: {en: "Second"}
    probability: 40
    sla_days: 30
"""


def _load(amount: str):
    return load_text(SOURCE.replace("AMOUNT", amount), "sample.yaml")


@pytest.fixture
def registered(monkeypatch):
    """The one line a new type adds to the registry."""
    monkeypatch.setitem(gates.GATE_TYPES, "min_amount", MinAmountGate)


def test_an_unregistered_type_is_refused_by_name():
    playbook, problems = _load("50000")
    assert playbook is None
    assert problems == [
        "sample.yaml:10: unknown gate type 'min_amount' (known: roles, fields, contacts, "
        "contacted, interactions, checklist, approval, request_done)"
    ]


def test_a_registered_type_is_read_from_the_file_with_its_line(registered):
    playbook, problems = _load("50000")
    assert problems == []
    first = playbook.stage("first")
    assert first.exit[0] == MinAmountGate(amount=50000, line=10)
    assert [gate.type for gate in first.exit] == ["min_amount", "roles"]


def test_a_bad_value_is_refused_with_the_types_own_message(registered):
    playbook, problems = _load("lots")
    assert playbook is None
    assert problems == ["sample.yaml:10: min_amount gate needs a whole number, not 'lots'"]


@pytest.mark.parametrize(("amount", "met"), [("49999.99", False), ("50000", True)])
def test_a_registered_type_evaluates_itself(registered, amount, met, now):
    stage = _load("50000")[0].stage("first")
    result = evaluate_stage(stage, OpportunityFacts(amount=Decimal(amount)), now)[0]
    assert (result.gate, result.met) == ("min_amount", met)
    assert result.hint == (None if met else "raise_amount")


def _deal_on_sample(world, now, amount):
    row = registry.stored_version(_load("50000")[0], now=now)
    deal = f.make_opportunity(account=world.account_a, roles={world.rep_a: "AR"}, amount=amount)
    deal.playbook_version, deal.stage_key = row, "first"
    return deal


def test_the_deal_page_offers_the_types_action_and_an_advance_names_its_hint(
    registered, world, now
):
    deal = _deal_on_sample(world, now, amount=10_000)
    rows = detail.build(deal, world.rep_a, now).gates
    assert [(r.result.gate, r.action_label, r.action_url) for r in rows] == [
        ("min_amount", "Raise the amount", f"/opportunities/{deal.id}/edit#amount"),
        ("roles", None, None),
    ]
    with pytest.raises(GatesUnmet) as refused:
        moves.advance(deal, {"version": deal.version}, actor=world.rep_a, now=now)
    assert refused.value.unmet == [
        {"gate": "min_amount", "message": "The amount is below 50000", "hint": "raise_amount"}
    ]


def test_a_met_new_gate_offers_nothing_and_lets_the_deal_advance(registered, world, now):
    deal = _deal_on_sample(world, now, amount=50_000)
    rows = detail.build(deal, world.rep_a, now).gates
    assert [(r.result.met, r.action_url) for r in rows] == [(True, None), (True, None)]
    moves.advance(deal, {"version": deal.version}, actor=world.rep_a, now=now)
    assert deal.stage_key == "second"


@pytest.mark.parametrize("name", list(gates.GATE_TYPES))
def test_every_shipped_type_defines_the_whole_class(name):
    """What a type must define to be one class: a forgotten part fails here, not on a deal page."""
    gate_type = gates.GATE_TYPES[name]
    assert gate_type.type == name and gate_type.hint and str(gate_type.action_label)
    for part in ("parse", "evaluate", "action_url"):
        assert getattr_static(gate_type, part) is not vars(Gate)[part], f"{name} lacks {part}"
