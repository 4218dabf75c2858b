"""The open pipeline per team (pipeline/open_deals.py): the review's funnel and forecast read from
it equal the live computation — for each reader and filter, once built, and after every kind of
change in the same transaction: a deal created, advanced, closed, re-priced, re-dated, deleted or
restored, an account moved to another team or deleted, a bulk statement — and a deal entered on
the day its stage's limit falls is over it or not to the second."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.opportunities.models import Opportunity, Status
from salesflow.pipeline import aggregate, figures, open_deals
from salesflow.pipeline.models import PipelineOpenBuild, PipelineOpenStage
from tests import factories as f
from tests.conftest import sql_statements

FILTERS = [
    figures.Filters(),
    figures.Filters(playbook="enterprise"),
    figures.Filters(playbook="transactional"),
]


def _figures(user, chosen, now):
    return (
        [vars(row) for row in figures.funnel(user, chosen, now=now)],
        figures.forecast(user, chosen, now=now),
    )


def _assert_equal(world, now, monkeypatch):
    readers = (world.leader, world.admin, world.director_a, world.director_b)
    for user in readers:
        for chosen in (*FILTERS, figures.Filters(team_id=world.team_b.id)):
            assert open_deals.readable(user, chosen)
            kept = _figures(user, chosen, now)
            with monkeypatch.context() as live:
                live.setattr(open_deals, "readable", lambda *_args: False)
                assert kept == _figures(user, chosen, now), (user.name, chosen)


@pytest.fixture
def built(world, deals, now):
    f.make_opportunity(account=world.account_b, playbook="transactional", amount=Decimal("10.05"))
    f.make_opportunity(account=world.account_a, amount=None, expected_close=None)
    aggregate.rebuild(now=now)  # the morning's build recounts the open pipeline too
    return deals


def test_the_aggregate_equals_live_once_built(world, built, now, monkeypatch):
    assert db.session.scalar(sa.select(PipelineOpenBuild)) is not None
    assert sum(db.session.scalars(sa.select(PipelineOpenStage.deals))) == 6  # the open ones
    _assert_equal(world, now, monkeypatch)


def test_the_review_reads_the_aggregate(world, built, now):
    """Proof that the stored rows are read: a change made behind its back (never done by the
    app) shows until the next build."""
    db.session.execute(sa.update(PipelineOpenStage.__table__).values(deals=0))
    assert sum(s.count for s in figures.funnel(world.leader, figures.Filters(), now=now)) == 0
    open_deals.rebuild(now=now)
    assert sum(s.count for s in figures.funnel(world.leader, figures.Filters(), now=now)) == 6


def test_every_change_of_a_deal_is_kept_in_its_transaction(world, built, now, monkeypatch):
    deal = built["a_validate"]
    deal.stage_key, deal.stage_entered_at = "shape", now  # advanced
    built["shared_usd"].amount = Decimal("31000.10")
    built["b_validate"].expected_close = built["b_validate"].expected_close + timedelta(days=40)
    db.session.flush()
    _assert_equal(world, now, monkeypatch)
    built["a_shape_late"].status = Status.won
    f.make_opportunity(account=world.account_b, stage="bid", days_in_stage=40)  # a new one
    db.session.flush()
    _assert_equal(world, now, monkeypatch)
    built["b_validate"].deleted_at = now
    built["a_won"].status = Status.open  # reopened
    db.session.flush()
    _assert_equal(world, now, monkeypatch)
    built["b_validate"].deleted_at = None  # restored
    db.session.flush()
    _assert_equal(world, now, monkeypatch)


def test_an_account_moving_team_or_deleted_moves_its_deals(world, built, now, monkeypatch):
    world.shared.team_id = world.team_b.id
    db.session.flush()
    _assert_equal(world, now, monkeypatch)
    world.account_a.deleted_at = now
    db.session.flush()
    _assert_equal(world, now, monkeypatch)
    world.account_a.deleted_at = None
    db.session.flush()
    _assert_equal(world, now, monkeypatch)


def test_a_change_to_a_deal_read_from_the_database_is_kept(world, built, now, monkeypatch):
    """Its old values were never loaded when it changed (expired after a commit)."""
    deal_id = built["b_validate"].id
    db.session.expire_all()
    deal = db.session.get(Opportunity, deal_id)
    db.session.expire(deal)
    deal.stage_key = "shape"
    db.session.flush()
    _assert_equal(world, now, monkeypatch)


def test_a_bulk_statement_is_recounted_at_the_commit(world, built, now, monkeypatch):
    db.session.execute(
        sa.update(Opportunity)
        .where(Opportunity.account_id == world.account_a.id)
        .values(amount=Decimal(7))
    )
    db.session.commit()
    _assert_equal(world, now, monkeypatch)


@pytest.mark.parametrize("seconds", [-1, 1])
def test_a_deal_entered_on_the_day_its_limit_falls(world, built, now, monkeypatch, seconds):
    """validate's limit is 21 days: a deal 21 days and a second in it is over, a second short
    of it is not, though both entered it on the same company day."""
    deal = f.make_opportunity(account=world.account_b, stage="validate")
    deal.stage_entered_at = now - timedelta(days=21, seconds=seconds)
    db.session.flush()
    _assert_equal(world, now, monkeypatch)
    validate = next(
        s
        for s in figures.funnel(world.director_b, figures.Filters(), now=now)
        if s.stage == "validate"
    )
    assert validate.breaches == (1 if seconds > 0 else 0)


def test_the_funnel_and_forecast_read_a_few_queries_whatever_the_deals(world, built, now):
    def statements():
        with sql_statements() as seen:
            _figures(world.leader, figures.Filters(), now)
        return len(seen)

    few = statements()
    for _ in range(5):
        f.make_opportunity(account=world.account_b, stage="shape", days_in_stage=60)
    assert statements() <= few + 1  # perhaps the deals entered on a limit's day, counted live


def test_before_the_first_build_the_figures_are_live(world, deals, now):
    assert not open_deals.readable(world.leader, figures.Filters())
    f.make_opportunity(account=world.account_a)  # nothing is kept before a build
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PipelineOpenStage)) == 0
    assert sum(s.count for s in figures.funnel(world.leader, figures.Filters(), now=now)) == 5


def test_a_person_filter_is_counted_live(world, built, now):
    assert not open_deals.readable(world.leader, figures.Filters(user_id=world.rep_a2.id))


def _columns(user, filters, now):
    from salesflow.opportunities import queries

    playbook = queries.board_playbook("enterprise")
    return [
        (c.stage.key, c.count, c.amount, c.weighted, [card.deal.id for card in c.cards])
        for c in queries.board(user, playbook, filters, now=now)
    ]


def test_the_boards_totals_from_the_aggregate_equal_live(app, world, built, now, monkeypatch):
    from salesflow.opportunities.queries import BOARD_TOTALS, OpportunityFilters

    f.make_opportunity(account=world.account_b, stage="bid", amount=Decimal("0.05"))
    built["a_validate"].stage_key = "shape"
    db.session.flush()
    readers = (world.leader, world.director_a, world.director_b, world.rep_a)
    for user in readers:
        for chosen in (
            OpportunityFilters(),
            OpportunityFilters(team_id=world.team_b.id),
            OpportunityFilters(q="Opportunity"),  # a name: counted from the deals
        ):
            kept = _columns(user, chosen, now)
            with monkeypatch.context() as live:
                live.delitem(app.extensions, BOARD_TOTALS)
                assert kept == _columns(user, chosen, now), (user.name, chosen)
    assert open_deals.board_totals(world.rep_a, "enterprise", None) is None  # not whole teams


def test_the_board_reads_the_aggregate(world, built, now):
    db.session.execute(sa.update(PipelineOpenStage.__table__).values(deals=0))
    assert [c[1] for c in _columns(world.leader, _no_filters(), now)] == [0] * 6


def _no_filters():
    from salesflow.opportunities.queries import OpportunityFilters

    return OpportunityFilters()
