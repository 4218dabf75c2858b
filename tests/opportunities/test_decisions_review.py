"""The review lists the decisions waiting in its scope (issue 14, "A decision asked of a director
reaches no one"): a section "Decisions waiting" at the top of the pipeline review, of the team
the review is filtered to."""

from salesflow.extensions import db
from salesflow.opportunities import services
from tests import factories as f
from tests.conftest import login


def _ask(deal, rep, now):
    data = {"stage": deal.stage_key, "gate": "atb", "decision": "requested"}
    services.decide(deal, data, actor=rep, now=now)


def _section(page: str) -> str:
    section = page[page.index('id="decisions-waiting"') :]
    return section[: section.index("</section>")]


def test_the_review_lists_the_decisions_waiting_in_its_scope(client, world, now):
    north = f.make_opportunity(account=world.account_a, stage="shape", name="Grid upgrade")
    south = f.make_opportunity(account=world.account_b, stage="shape", name="South grid")
    _ask(north, world.rep_a, now)
    _ask(south, world.rep_b, now)
    db.session.commit()
    login(client, world.director_a)
    section = _section(client.get("/pipeline/review").text)
    assert "Decisions waiting" in section and "Grid upgrade" in section
    assert "South grid" not in section
    login(client, world.leader)
    section = _section(client.get(f"/pipeline/review?team_id={world.team_b.id}").text)
    assert "South grid" in section and "Grid upgrade" not in section
