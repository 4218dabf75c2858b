"""Behind every number of the review, the deals it counts: each figure's drill-down against the
hand-built fixture (conftest `deals`), under the caller's scope and the review's filters."""

from datetime import date, timedelta

import pytest

from salesflow.extensions import db
from salesflow.opportunities.models import Move
from salesflow.pipeline import figures, snapshots
from tests import factories as f
from tests.pipeline.conftest import _change


def _ids(user, figure, key=None, *, now, **filters):
    query = figures.drill(user, figures.Filters(**filters), figure, key, now=now)
    return {o.id for o in db.session.scalars(query)}


@pytest.fixture
def ids(deals):
    return {name: deal.id for name, deal in deals.items()}


def test_the_funnel_forecast_and_breaches_drill_to_open_deals(world, deals, ids, now):
    lead = world.leader
    assert _ids(lead, "stage", "enterprise:validate", now=now) == {
        ids["a_validate"],
        ids["b_validate"],
    }
    assert _ids(lead, "stage", "enterprise:shape", now=now) == {
        ids["a_shape_late"],
        ids["shared_usd"],
    }  # a_won is closed
    assert _ids(lead, "late", now=now) == {ids["a_shape_late"]}
    assert _ids(lead, "late", "enterprise:validate", now=now) == set()
    deals["b_validate"].expected_close = None
    db.session.flush()
    assert _ids(lead, "month", "2027-03", now=now) == {
        ids["a_validate"],
        ids["a_shape_late"],
        ids["shared_usd"],
    }
    assert _ids(lead, "month", "", now=now) == {ids["b_validate"]}
    assert _ids(lead, "month", "2027-04", now=now) == set()


def test_the_funnel_counts_are_the_deals_listed(world, deals, now):
    rows = figures.funnel(world.leader, figures.Filters(), now=now)
    assert [row.count for row in rows] == [2, 2]  # validate, shape
    for row in rows:
        key = f"{row.playbook}:{row.stage}"
        assert len(_ids(world.leader, "stage", key, now=now)) == row.count
        assert len(_ids(world.leader, "late", key, now=now)) == row.breaches


def test_outcomes_drill_to_the_deals_closed_in_the_period(world, deals, ids, now):
    deals["a_won"].closed_at = now - timedelta(days=10)
    price = f.make_opportunity(account=world.account_a, status="lost")
    price.loss_reason = "price"
    silent = f.make_opportunity(account=world.account_a, status="lost")  # lost before the list
    old = f.make_opportunity(account=world.account_a, status="lost")
    old.loss_reason, old.closed_at = "price", now - timedelta(days=120)  # before the period
    db.session.flush()
    lead = world.leader
    assert _ids(lead, "won", now=now) == {ids["a_won"]}
    assert _ids(lead, "lost", now=now) == {price.id, silent.id}
    assert _ids(lead, "loss_reason", "price", now=now) == {price.id}
    assert _ids(lead, "loss_reason", "other", now=now) == {silent.id}  # counted as "other"
    with pytest.raises(LookupError):
        _ids(lead, "loss_reason", "", now=now)


def test_conversion_and_gate_compliance_drill_to_the_deals_that_moved(world, deals, ids, now):
    _change(deals["a_won"], now, 2, move=Move.lost)  # left validate, not forward
    db.session.flush()
    lead = world.leader
    moved = {ids["a_validate"], ids["a_shape_late"], ids["b_validate"]}
    assert _ids(lead, "left", "enterprise:validate", now=now) == moved | {ids["a_won"]}
    assert _ids(lead, "left_forward", "enterprise:validate", now=now) == moved
    assert _ids(lead, "left", "enterprise:shape", now=now) == set()
    assert _ids(lead, "advances", now=now) == moved
    assert _ids(lead, "advances_met", now=now) == {ids["a_validate"], ids["b_validate"]}
    assert _ids(lead, "overrides", now=now) == {ids["a_shape_late"]}
    start = (now - timedelta(days=100)).date()
    assert ids["a_shape_late"] in _ids(lead, "advances_met", start=start, now=now)  # 100 days ago


def test_the_gaps_drill_to_every_deal_with_one(world, deals, ids, now):
    lead = world.leader
    assert _ids(lead, "triangle_gaps", now=now) == {ids["a_validate"], ids["b_validate"]}
    assert _ids(lead, "chain_gaps", now=now) == {ids["shared_usd"]}
    gaps = figures.triangle_gaps(lead, figures.Filters(), now=now)
    assert gaps.total == len(_ids(lead, "triangle_gaps", now=now))


def test_the_weeks_movement_drills_to_its_deals(world, deals, ids, now):
    lead = world.leader
    assert _ids(lead, "week_new", now=now) == set(ids.values())  # all made "now"
    assert _ids(lead, "week_advanced", now=now) == {ids["a_validate"], ids["b_validate"]}
    assert _ids(lead, "week_regressed", now=now) == {ids["a_validate"]}
    assert _ids(lead, "week_won", now=now) == _ids(lead, "week_lost", now=now) == set()
    assert _ids(lead, "week_slipped", now=now) == set()  # no snapshot to compare with
    snapshots.take(now=now - timedelta(days=7))
    deals["a_validate"].expected_close = date(2027, 6, 30)
    db.session.flush()
    assert _ids(lead, "week_slipped", now=now) == {ids["a_validate"]}
    assert figures.movement(lead, figures.Filters(), now=now).slipped == 1


def test_a_director_drills_only_into_their_team(world, deals, ids, now):
    director = world.director_a
    assert _ids(director, "stage", "enterprise:validate", now=now) == {ids["a_validate"]}
    assert _ids(director, "advances", now=now) == {ids["a_validate"], ids["a_shape_late"]}
    assert _ids(director, "stage", "enterprise:validate", team_id=world.team_b.id, now=now) == set()
    assert _ids(world.leader, "advances", user_id=world.rep_a2.id, now=now) == {
        ids["a_shape_late"]
    }  # the rep filter: deals where they hold a role


@pytest.mark.parametrize(
    ("figure", "key"),
    [
        ("nothing", None),
        ("stage", "enterprise:nowhere"),
        ("stage", "nowhere:validate"),
        ("stage", None),
        ("left", "validate"),
        ("month", "2026-13"),
        ("month", "soon"),
    ],
)
def test_a_figure_or_row_that_does_not_exist_is_refused(world, now, figure, key):
    with pytest.raises(LookupError):
        figures.drill(world.leader, figures.Filters(), figure, key, now=now)
