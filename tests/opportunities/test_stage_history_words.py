"""The stage history says each move's unmet gates in its reader's language, from the facts stored
with the move (playbooks.gates.said), with the fields by their labels and days in the reader's
format; a move stored before the facts were kept shows the message it was stored with."""

import json
from datetime import timedelta

import pytest
from flask_babel import refresh

from salesflow.extensions import db
from salesflow.opportunities import moves
from salesflow.opportunities.models import StageChange
from salesflow.playbooks import gates as g
from salesflow.playbooks.evaluate import evaluate_stage
from salesflow.playbooks.facts import ContactFact, InteractionFact, OpportunityFacts, RequestFact
from salesflow.playbooks.gates import said
from salesflow.playbooks.loader import load_text
from tests import factories as f
from tests.conftest import login


def _overridden_in_chinese(app, world, now):
    """A director reading Chinese overrides an advance whose deal has no customer need."""
    deal = f.make_opportunity(
        account=world.account_a, customer_need=None, roles={world.rep_a: "AR"}
    )
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        refresh()
        moves.advance(
            deal,
            {"version": deal.version, "override_reason": "客户时间紧"},
            actor=world.director_a,
            now=now,
        )
    refresh()
    db.session.commit()
    return deal


@pytest.mark.parametrize(
    "lang, said_there, stages",
    [
        ("en", "Fill in: Customer need", "Validate the opportunity → Shape the requirements"),
        ("zh-CN", "请填写：客户需求", "验证机会点 → 标前引导"),
    ],
)
def test_a_move_is_read_in_the_readers_language(app, client, world, now, lang, said_there, stages):
    deal = _overridden_in_chinese(app, world, now)
    login(client, world.rep_a)
    page = client.get(f"/opportunities/{deal.id}", headers={"Accept-Language": lang}).text
    history = page[page.index('id="stage-history"') :].split("</section>", 1)[0]
    assert said_there in history and stages in history
    assert "customer_need" not in history


def test_a_move_stored_before_the_facts_were_kept_shows_its_message(client, world, now):
    deal = f.make_opportunity(account=world.account_a, roles={world.rep_a: "AR"})
    stored = {"gate": "fields", "met": False, "message": "Fill in: customer_need"}
    db.session.add(
        StageChange(
            opportunity_id=deal.id,
            at=now,
            move="advanced",
            from_stage="validate",
            to_stage="shape",
            gates=[stored],
            gates_met=False,
            overridden=True,
        )
    )
    db.session.commit()
    assert said(stored) == "Fill in: customer_need"
    assert said({**stored, "gate": "no such type", "detail": {}}) == "Fill in: customer_need"


BOSS = ContactFact(id=1, name="Zhang Wei", decision_role="decision_maker", attitude="champion")
# The gate types the shipped playbooks do not use yet, in a playbook of their own.
UNSHIPPED = """\
key: unshipped-gates
version: 1
name: {en: "Unshipped gates"}
stages:
  - key: shape
    name: {en: "Shape"}
    probability: 10
    sla_days: 7
    exit:
      - request_done: solution_workshop
"""


def test_every_shipped_gate_says_again_what_it_said_from_its_stored_facts(app, now):
    """Each result's detail survives the JSON column and says the very message evaluate gave,
    met and unmet (the enterprise playbook holds every shipped gate type; UNSHIPPED the others)."""
    from salesflow.playbooks import registry

    stages = (
        *registry.file_playbooks()["enterprise"].stages,
        *load_text(UNSHIPPED, "unshipped.yaml")[0].stages,
    )
    types = set()
    for facts in (
        OpportunityFacts(),
        OpportunityFacts(
            contacts=(BOSS,),
            interactions=(
                InteractionFact(
                    id=1,
                    kind="visit",
                    occurred_at=now - timedelta(days=40),
                    attendee_ids=frozenset({1}),
                ),
            ),
            requests_done=(RequestFact("solution_workshop", now - timedelta(days=1)),),
        ),
    ):
        for stage in stages:
            for result in evaluate_stage(stage, facts, now):
                stored = json.loads(
                    json.dumps(
                        {
                            "gate": result.gate,
                            "met": result.met,
                            "message": "",
                            "detail": result.detail,
                        }
                    )
                )
                assert said(stored) == result.message, (stage.key, result.gate)
                types.add(result.gate)
    assert types == set(g.GATE_TYPES)
