"""The pipeline report (API.md `GET /reports/pipeline`) against hand-computed figures: per stage
the open deals' count, amount and weighted amount per currency and the SLA breaches; gate
compliance over the period with the overrides; scope, filters and bad input."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from salesflow.extensions import db
from salesflow.opportunities.models import Move
from salesflow.pipeline import figures
from tests import factories as f
from tests.conftest import api_as
from tests.pipeline.conftest import _change


def _stages(user, now, **filters):
    return {
        (s.playbook, s.stage): (
            s.count,
            {c: str(v) for c, v in s.amount.items()},
            {c: str(v) for c, v in s.weighted.items()},
            s.breaches,
        )
        for s in figures.funnel(user, figures.Filters(**filters), now=now)
    }


def test_the_funnel_per_stage_and_currency_for_leadership(world, deals, now):
    assert _stages(world.leader, now) == {
        ("enterprise", "validate"): (2, {"CNY": "600000.00"}, {"CNY": "60000.00"}, 0),
        ("enterprise", "shape"): (
            2,
            {"CNY": "200000.00", "USD": "30000.00"},
            {"CNY": "50000.00", "USD": "7500.00"},
            1,
        ),
    }
    aging = {
        (s.stage, s.oldest_days, s.sla_days)
        for s in figures.funnel(world.leader, figures.Filters(), now=now)
    }
    assert aging == {("validate", 10, 21), ("shape", 50, 45)}
    order = [
        (s.playbook, s.stage) for s in figures.funnel(world.leader, figures.Filters(), now=now)
    ]
    assert order == [("enterprise", "validate"), ("enterprise", "shape")]  # playbook order


def test_a_director_sees_their_team_and_filters_narrow_it(world, deals, now):
    assert _stages(world.director_a, now)[("enterprise", "validate")][0] == 1
    assert _stages(world.leader, now, team_id=world.team_b.id) == {
        ("enterprise", "validate"): (1, {"CNY": "500000.00"}, {"CNY": "50000.00"}, 0)
    }
    assert _stages(world.leader, now, user_id=world.rep_a2.id) == {
        ("enterprise", "shape"): (1, {"CNY": "200000.00"}, {"CNY": "50000.00"}, 1)
    }
    assert _stages(world.leader, now, playbook="transactional") == {}
    # a director filtering by another team still sees only their own
    assert _stages(world.director_a, now, team_id=world.team_b.id) == {}


def test_gate_compliance_over_the_period_with_the_overrides(world, deals, now):
    everyone = figures.gate_compliance(world.leader, figures.Filters(), now=now)
    assert (everyone.advances, everyone.met) == (3, 2)
    assert everyone.share == pytest.approx(2 / 3)
    assert everyone.override_count == 1
    assert [(c.reason, name) for c, name in everyone.overrides] == [
        ("Customer asked", deals["a_shape_late"].name)
    ]
    north = figures.gate_compliance(world.director_a, figures.Filters(), now=now)
    assert (north.advances, north.met, north.share) == (2, 1, 0.5)
    longer = figures.Filters(start=(now - timedelta(days=100)).date(), end=now.date())
    assert figures.gate_compliance(world.leader, longer, now=now).advances == 4
    empty = figures.Filters(start=now.date() + timedelta(days=1), end=now.date() + timedelta(2))
    assert figures.gate_compliance(world.leader, empty, now=now).share is None


def test_the_api_gives_exactly_the_contracts_fields(app, world, deals, now):
    body = (
        api_as(app, world.director_a)
        .get(f"/reports/pipeline?at={now.isoformat().replace('+', '%2B')}")
        .get_json()
    )
    assert set(body) == {"stages", "gate_compliance"}
    shape = next(s for s in body["stages"] if s["stage"] == "shape")
    assert shape == {
        "playbook": "enterprise",
        "stage": "shape",
        "count": 2,
        "amount": {"CNY": "200000.00", "USD": "30000.00"},
        "weighted_amount": {"CNY": "50000.00", "USD": "7500.00"},
        "breaches": 1,
    }
    compliance = body["gate_compliance"]
    assert (compliance["advances"], compliance["met_every_gate"], compliance["share"]) == (
        2,
        1,
        0.5,
    )
    override = compliance["overrides"][0]
    assert set(override) == {"opportunity_id", "at", "from_stage", "to_stage", "reason"}
    assert (override["opportunity_id"], override["reason"]) == (
        deals["a_shape_late"].id,
        "Customer asked",
    )


def test_reps_are_refused(app, world, deals):
    response = api_as(app, world.rep_a).get("/reports/pipeline")
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-11-20&to=2026-11-01", "from"),
        ("from=2026-13-01", "from"),
        ("at=2026-11-20T10:00:00", "at"),
        ("team_id=abc", "team_id"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(app, world, query, field):
    response = api_as(app, world.leader).get(f"/reports/pipeline?{query}")
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_the_weighted_forecast_by_close_month(world, deals, now):
    deals["shared_usd"].expected_close = date(2027, 1, 15)
    deals["b_validate"].expected_close = None
    db.session.flush()
    # a_validate 100,000 × 10 % and a_shape_late 200,000 × 25 % close 2027-03-31 (the default)
    assert figures.forecast(world.leader, figures.Filters(), now=now) == [
        ("2027-01", {"USD": Decimal("7500.00")}),
        ("2027-03", {"CNY": Decimal("60000.00")}),
        ("", {"CNY": Decimal("50000.00")}),
    ]


def test_won_and_lost_in_the_period_the_cycle_and_the_loss_reasons(world, deals, now):
    won = deals["a_won"]
    won.created_at, won.closed_at = now - timedelta(days=40), now - timedelta(days=10)
    quick = f.make_opportunity(account=world.account_a, status="won")
    quick.created_at, quick.closed_at = now - timedelta(days=20), now - timedelta(days=10)
    for reason, days in (("price", 5), ("price", 6), ("no_budget", 7), ("price", 120)):
        lost = f.make_opportunity(account=world.account_a, status="lost")
        lost.loss_reason, lost.closed_at = reason, now - timedelta(days=days)
    f.make_opportunity(account=world.account_b, status="lost").loss_reason = "cancelled"
    db.session.flush()
    north = figures.outcomes(world.director_a, figures.Filters(), now=now)
    assert (north.won, north.lost) == (2, 3)  # the loss 120 days ago is outside the period
    assert north.win_rate == pytest.approx(2 / 5)
    assert north.cycle_days == pytest.approx(20.0)  # (30 + 10) / 2
    assert north.loss_reasons == [("price", 2), ("no_budget", 1)]
    empty = figures.outcomes(world.director_a, figures.Filters(team_id=world.team_b.id), now=now)
    assert (empty.win_rate, empty.cycle_days, empty.loss_reasons) == (None, None, [])


def test_conversion_from_each_stage_over_the_period(world, deals, now):
    # the fixture: validate → shape advanced 5, 10 (override) and 3 days ago (South) and 100
    # days ago (outside), and one move back from validate 1 day ago
    lost = deals["a_won"]
    _change(lost, now, 2, move=Move.lost)  # left validate lost
    leader = {
        (c.playbook, c.stage): (c.forward, c.left, c.rate)
        for c in figures.conversion(world.leader, figures.Filters(), now=now)
    }
    assert leader == {("enterprise", "validate"): (3, 5, pytest.approx(3 / 5))}
    north = figures.conversion(world.director_a, figures.Filters(), now=now)
    assert [(c.forward, c.left) for c in north] == [(2, 4)]
    assert (
        figures.conversion(world.leader, figures.Filters(playbook="transactional"), now=now) == []
    )


def test_iron_triangle_gaps_are_the_roles_the_current_stage_asks_for(world, deals, now):
    # validate asks for AR and SR; shape asks for none
    full = f.make_opportunity(
        account=world.account_a, stage="validate", roles={world.rep_a: "AR", world.rep_a2: "SR"}
    )
    world.rep_b.active = False
    half = f.make_opportunity(
        account=world.shared, stage="validate", roles={world.rep_a: "AR", world.rep_b: "SR"}
    )
    db.session.flush()
    gaps = {
        g.opportunity_id: g.missing
        for g in figures.triangle_gaps(world.leader, figures.Filters(), now=now).shown
    }
    assert gaps == {
        deals["a_validate"].id: ("AR", "SR"),
        deals["b_validate"].id: ("AR", "SR"),
        half.id: ("SR",),
    }  # a deactivated SR holds nothing
    assert full.id not in gaps
    north = figures.triangle_gaps(world.director_a, figures.Filters(), now=now)
    assert north.total == 2
    assert {g.opportunity_id for g in north.shown} == {deals["a_validate"].id, half.id}


def test_decision_chain_gaps_past_the_first_stage(world, deals, now):
    # account_a's decision maker Zhang Wei was met today: a_shape_late has no gap; Shared Steel
    # maps no decision maker
    boss = f.make_contact(account=world.account_b, name="Boss", decision_role="decision_maker")
    f.make_interaction(account=world.account_b, owner=world.rep_b, contacts=[boss], days_ago=31)
    south = f.make_opportunity(account=world.account_b, stage="shape")
    f.make_opportunity(account=world.account_b, stage="validate")  # first stage: not yet asked
    gaps = {
        g.opportunity_id: g.missing
        for g in figures.chain_gaps(world.leader, figures.Filters(), now=now).shown
    }
    assert gaps == {
        deals["shared_usd"].id: ("decision_maker",),
        south.id: ("decision_maker_contact",),
    }
    f.make_interaction(account=world.account_b, owner=world.rep_b, contacts=[boss], days_ago=30)
    gaps = {
        g.opportunity_id for g in figures.chain_gaps(world.leader, figures.Filters(), now=now).shown
    }
    assert gaps == {deals["shared_usd"].id}  # 30 days ago is within the last 30 days


def test_the_weeks_movement(world, deals, now):
    from salesflow.pipeline import snapshots

    week_ago = now - timedelta(days=7)
    assert figures.movement(world.leader, figures.Filters(), now=now).slipped is None  # no base
    snapshots.take(now=week_ago)
    deals["a_validate"].expected_close = date(2027, 6, 30)  # later than on the week's first day
    deals["shared_usd"].expected_close = date(2027, 1, 31)  # earlier: not slipped
    old = f.make_opportunity(account=world.account_a)
    old.created_at = now - timedelta(days=8)  # not new this week
    _change(deals["a_validate"], now, 2, move=Move.won)
    db.session.flush()
    week = figures.movement(world.leader, figures.Filters(), now=now)
    # new: the fixture's 5 deals (made "now"); moves in the last 7 days: advanced 5 and 3 days
    # ago, back 1 day ago, won 2 days ago; the override 10 days ago is before the week
    assert (week.new, week.advanced, week.regressed, week.won, week.lost) == (5, 2, 1, 1, 0)
    assert week.slipped == 1  # a_validate
    north = figures.movement(world.director_a, figures.Filters(), now=now)
    assert (north.new, north.advanced) == (4, 1)


def test_compliance_and_conversion_read_one_pass_over_the_periods_moves(world, deals, now):
    from tests.conftest import sql_statements

    lead, everyone = world.leader, figures.Filters()
    with sql_statements() as statements:
        moves = figures.period_moves(lead, everyone, now=now)
        conversion = figures.conversion(lead, everyone, now=now, moves=moves)
    assert sum("stage_changes" in s for s in statements) == 1
    assert conversion == figures.conversion(lead, everyone, now=now)
    shared = figures.gate_compliance(lead, everyone, now=now, moves=moves)
    alone = figures.gate_compliance(lead, everyone, now=now)
    assert (shared.advances, shared.met, shared.override_count) == (3, 2, 1)
    assert (alone.advances, alone.met, alone.override_count) == (3, 2, 1)


def test_the_default_period_is_the_90_company_days_up_to_today(world, now):
    # now is 17:30 on 20 November in Shanghai: the period starts at midnight on 23 August there
    # (16:00 UTC the day before), 89 days before today
    start = datetime(2026, 8, 22, 16, 0, tzinfo=UTC)
    for reason, closed_at in (("price", start), ("no_budget", start - timedelta(minutes=1))):
        lost = f.make_opportunity(account=world.account_a, status="lost")
        lost.loss_reason, lost.closed_at = reason, closed_at
    db.session.flush()
    assert figures.outcomes(world.leader, figures.Filters(), now=now).loss_reasons == [("price", 1)]


def test_loss_reasons_are_ranked_most_frequent_first(world, now):
    for reason in ("price", "no_budget", "competitor", "no_budget"):
        lost = f.make_opportunity(account=world.account_a, status="lost")
        lost.loss_reason, lost.closed_at = reason, now - timedelta(days=3)
    db.session.flush()
    ranked = figures.outcomes(world.leader, figures.Filters(), now=now).loss_reasons
    assert ranked == [("no_budget", 2), ("competitor", 1), ("price", 1)]  # equal counts by key


def test_the_newest_override_is_shown_first(world, deals, now):
    _change(deals["a_validate"], now, 4, met=False, overridden=True, reason="Board approved")
    db.session.flush()
    compliance = figures.gate_compliance(world.leader, figures.Filters(), now=now)
    assert [c.reason for c, _name in compliance.overrides] == ["Board approved", "Customer asked"]


def test_the_deal_longest_over_its_limit_is_listed_first(world, deals, now):
    # a_shape_late: 50 days in shape (limit 45), 5 over; this one 30 days in validate (limit
    # 21), 9 over, though it entered its stage later
    further = f.make_opportunity(account=world.account_a, stage="validate", days_in_stage=30)
    db.session.flush()
    listed = figures.breaches(world.leader, figures.Filters(), now=now)
    assert [(b.opportunity_id, b.days, b.sla_days) for b in listed] == [
        (further.id, 30, 21),
        (deals["a_shape_late"].id, 50, 45),
    ]


def test_a_decision_maker_who_left_maps_no_decision_maker(world, now):
    gone = f.make_contact(
        account=world.account_b,
        decision_role="decision_maker",
        left_on=now.date() - timedelta(days=1),
    )
    f.make_interaction(account=world.account_b, owner=world.rep_b, contacts=[gone])
    deal = f.make_opportunity(account=world.account_b, stage="shape")
    gaps = figures.chain_gaps(world.leader, figures.Filters(), now=now)
    assert [(g.opportunity_id, g.missing) for g in gaps.shown] == [(deal.id, ("decision_maker",))]
