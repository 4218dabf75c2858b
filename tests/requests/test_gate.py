"""The `request_done` gate through the database (issue 16): the facts loader finds the requests
done on each deal — not those still open, declined or on another deal — and the gate's action
opens the request form filled in with the deal, its account and the kind."""

from datetime import date, timedelta

from salesflow.extensions import db
from salesflow.opportunities import facts
from salesflow.playbooks.evaluate import evaluate
from salesflow.playbooks.gates import ActionTarget, RequestDoneGate
from salesflow.playbooks.loader import load_text
from salesflow.requests.models import InternalRequest, Status
from tests import factories as f

PLAYBOOK = """\
key: workshop-first
version: 1
name: {en: "Workshop first"}
stages:
  - key: shape
    name: {en: "Shape"}
    probability: 10
    sla_days: 7
    exit:
      - request_done: solution_workshop
"""


def _request(world, deal, kind, status, done_ago=None, now=None):
    made = InternalRequest(
        kind=kind,
        title=f"{kind} {status}",
        account_id=deal.account_id,
        opportunity_id=deal.id,
        requester_id=world.rep_a.id,
        assignee_id=world.rep_a2.id,
        needed_by=date(2026, 12, 4),
        status=status,
        created_at=now - timedelta(days=10),
        done_at=now - done_ago if done_ago is not None else None,
    )
    db.session.add(made)
    return made


def test_the_gate_is_met_by_a_done_request_of_its_kind_on_the_deal_only(world, now):
    stage = load_text(PLAYBOOK, "workshop.yaml")[0].first_stage
    gate = stage.exit[0]
    deal = f.make_opportunity(account=world.account_a, stage="shape")
    other = f.make_opportunity(account=world.account_a, stage="shape")
    _request(world, deal, "solution_workshop", Status.in_progress, now=now)
    _request(world, deal, "solution_workshop", Status.declined, timedelta(days=1), now=now)
    _request(world, deal, "demo", Status.done, timedelta(days=1), now=now)
    _request(world, other, "solution_workshop", Status.done, timedelta(days=1), now=now)
    db.session.flush()

    def met() -> bool:
        loaded = facts.load_facts([deal, other], now=now)
        assert evaluate(gate, loaded[other.id], now, stage).met
        return evaluate(gate, loaded[deal.id], now, stage).met

    assert not met()
    _request(world, deal, "solution_workshop", Status.done, timedelta(hours=1), now=now)
    db.session.flush()
    assert met()


def test_the_gates_action_opens_the_request_form_filled_in(world, now):
    deal = f.make_opportunity(account=world.account_a, stage="shape")
    gate = RequestDoneGate(kind="poc", line=1)
    url = gate.action_url(
        ActionTarget(deal.id, deal.account_id), facts.load_facts([deal], now=now)[deal.id]
    )
    assert url == (
        f"/requests/new?opportunity_id={deal.id}&account_id={world.account_a.id}&kind=poc"
    )
