"""The `request_done` gate (issue 16): read from a playbook file (a known kind; an unknown one or
none is a problem on its line), met by a done request of its kind on the deal as of now, and said
in words — pure, no database."""

from datetime import UTC, datetime, timedelta

import pytest

from salesflow.playbooks import gates as g
from salesflow.playbooks.evaluate import evaluate
from salesflow.playbooks.facts import OpportunityFacts, RequestFact
from salesflow.playbooks.loader import load_text

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)

SOURCE = """\
key: workshop-first
version: 1
name: {en: "Workshop first"}
stages:
  - key: shape
    name: {en: "Shape"}
    probability: 10
    sla_days: 7
    exit:
      - request_done: KIND
  - key: bid
    name: {en: "Bid"}
    probability: 40
    sla_days: 30
"""


def _load(kind: str):
    return load_text(SOURCE.replace("KIND", kind), "workshop.yaml")


def _gate():
    playbook, problems = _load("solution_workshop")
    assert problems == []
    return playbook.first_stage, playbook.first_stage.exit[0]


def test_a_known_kind_is_read_into_the_gate():
    _stage, gate = _gate()
    assert isinstance(gate, g.RequestDoneGate)
    assert (gate.kind, gate.line) == ("solution_workshop", 10)


@pytest.mark.parametrize(
    ("kind", "problem"),
    [
        (
            "workshop",
            "workshop.yaml:10: unknown request kind 'workshop' (allowed: solution_workshop, demo,"
            " poc, quote, delivery_plan, reference_call, legal, other)",
        ),
        (
            "decision",  # a decision is an approval gate
            "workshop.yaml:10: unknown request kind 'decision' (allowed: solution_workshop, demo,"
            " poc, quote, delivery_plan, reference_call, legal, other)",
        ),
        ("", "workshop.yaml:10: request_done gate needs a request kind, like solution_workshop"),
        (
            "[demo, poc]",
            "workshop.yaml:10: unknown request kind ['demo', 'poc'] (allowed: solution_workshop,"
            " demo, poc, quote, delivery_plan, reference_call, legal, other)",
        ),
    ],
)
def test_an_unknown_or_missing_kind_is_a_problem_on_its_line(kind, problem):
    playbook, problems = _load(kind)
    assert playbook is None
    assert problems == [problem]


def _done(kind: str, ago: timedelta = timedelta(days=1)) -> RequestFact:
    return RequestFact(kind, NOW - ago)


@pytest.mark.parametrize(
    ("done", "met"),
    [
        ((), False),
        ((_done("demo"),), False),  # another kind
        ((_done("solution_workshop"),), True),
        ((_done("solution_workshop", timedelta(0)),), True),  # done at this very moment
        ((_done("solution_workshop", -timedelta(seconds=1)),), False),  # done after now
        ((_done("demo"), _done("solution_workshop", timedelta(days=30))), True),
    ],
)
def test_met_by_a_done_request_of_its_kind_as_of_now(done, met):
    stage, gate = _gate()
    result = evaluate(gate, OpportunityFacts(requests_done=done), NOW, stage)
    assert result.met is met
    assert result.hint == (None if met else "ask_request")


def test_its_messages_name_the_kind_in_words(app):
    stage, gate = _gate()
    with app.test_request_context():
        unmet = evaluate(gate, OpportunityFacts(), NOW, stage)
        met = evaluate(
            gate, OpportunityFacts(requests_done=(_done("solution_workshop"),)), NOW, stage
        )
        assert unmet.message == "Solution workshop not yet delivered on this opportunity"
        assert met.message == "Solution workshop delivered"
        assert met.detail == {"kind": "solution_workshop", "done_at": "2026-11-19T09:30:00+00:00"}
        assert g.said({"gate": "request_done", "met": False, "detail": unmet.detail}) == (
            unmet.message
        )
        assert gate.describe(stage) == (
            "Solution workshop delivered on the deal (a request to a colleague, marked done)"
        )
