"""The review lists the oldest DECISIONS_SHOWN decisions waiting and says how many wait in all
(leadership's review had every one of the company's, 1,766 rows at full size); a decision point
answered since is no longer pending (the latest record of each point, found without ranking
every record)."""

from datetime import timedelta

from salesflow.extensions import db
from salesflow.opportunities import decisions, services
from salesflow.pipeline import views
from tests import factories as f
from tests.conftest import login


def _ask(deal, rep, now, decision="requested"):
    data = {"stage": deal.stage_key, "gate": "atb", "decision": decision}
    services.decide(deal, data, actor=rep, now=now)


def test_the_review_lists_the_oldest_decisions_and_says_how_many_wait(
    client, world, now, monkeypatch
):
    deals = [
        f.make_opportunity(account=world.account_a, stage="shape", name=f"Grid {i}")
        for i in range(3)
    ]
    for i, deal in enumerate(deals):
        _ask(deal, world.rep_a, now + timedelta(minutes=i))
    db.session.commit()
    monkeypatch.setattr(views, "DECISIONS_SHOWN", 2)
    login(client, world.leader)
    page = client.get("/pipeline/review").text
    assert "Grid 0" in page and "Grid 1" in page and "Grid 2" not in page
    assert "The oldest 2 of 3 decisions waiting are listed." in page
    monkeypatch.setattr(views, "DECISIONS_SHOWN", 3)
    page = client.get("/pipeline/review").text
    assert "Grid 2" in page and 'id="decisions-more"' not in page


def test_an_answered_decision_point_is_not_waiting(world, now):
    deal = f.make_opportunity(account=world.account_a, stage="shape", name="Grid")
    _ask(deal, world.rep_a, now)
    assert decisions.waiting_in(world.leader, limit=5)[1] == 1
    _ask(deal, world.director_a, now, decision="approve")  # the same instant: the later record
    assert decisions.waiting_in(world.leader) == ([], 0)
    assert decisions.pending_on([deal.id]) == {}


def test_the_review_shows_the_first_breaches_and_links_them_all(client, world, now, monkeypatch):
    for i in range(3):
        f.make_opportunity(account=world.account_a, name=f"Late {i}", days_in_stage=30 + i)
    db.session.commit()
    monkeypatch.setattr(views, "BREACHES_SHOWN", 2)
    login(client, world.director_a)
    page = client.get("/pipeline/review").text
    section = page[page.index('id="breaches"') :].split("</section>")[0]
    assert section.count("breach-link") == 2 and "The first 2 are shown." in section
