"""The daily aggregate of moves (pipeline/aggregate.py): the review's period figures read from it
and today live equal the live computation — for each reader and filter, after writes today
(moves, deletions, an account changing team) and across midnight on the company calendar."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from salesflow import clock
from salesflow.accounts.models import Account
from salesflow.extensions import db
from salesflow.opportunities.models import Move, Opportunity, StageChange
from salesflow.pipeline import aggregate, figures
from salesflow.pipeline.figures import moves
from salesflow.pipeline.figures.filters import deals_where, versions
from salesflow.pipeline.figures.movement import WEEK_MOVES, in_week
from salesflow.pipeline.models import PipelineMoveBuild, PipelineMoveDay
from salesflow.scheduler import registry
from tests import factories as f
from tests.pipeline.conftest import _change

FILTERS = [
    figures.Filters(),
    figures.Filters(playbook="enterprise"),
    figures.Filters(playbook="transactional"),
    figures.Filters(start=date(2025, 12, 1)),  # a year and more
    figures.Filters(start=date(2026, 11, 1), end=date(2026, 11, 17)),  # ended before today
    figures.Filters(start=date(2026, 11, 20)),  # today alone
]


def _assert_equal(world, now, filters=FILTERS):
    readers = (world.leader, world.admin, world.director_a, world.director_b)
    for user in readers:
        for chosen in (*filters, figures.Filters(team_id=world.team_b.id)):
            kept = sorted(figures.period_moves(user, chosen, now=now))
            assert kept == sorted(moves.live_moves(user, chosen, now=now)), (user.name, chosen)


@pytest.fixture
def built(world, deals, now):
    aggregate.rebuild(now=now)
    return deals


def test_the_aggregate_counts_the_days_up_to_yesterday_and_equals_live(world, built, now):
    build = db.session.scalar(sa.select(PipelineMoveBuild))
    assert build.through == date(2026, 11, 19)  # 09:30 UTC is 17:30 on the 20th in Shanghai
    assert sum(db.session.scalars(sa.select(PipelineMoveDay.moves))) == 5
    _assert_equal(world, now)


def test_the_review_reads_the_aggregate_for_past_days(world, built, now):
    """Proof that the stored counts are read: a change made behind the aggregate's back (never
    done by the app: stage changes are never rewritten) shows until the next build."""
    db.session.execute(sa.update(StageChange).values(gates_met=False))
    assert figures.gate_compliance(world.leader, figures.Filters(), now=now).met == 2
    aggregate.rebuild(now=now)
    assert figures.gate_compliance(world.leader, figures.Filters(), now=now).met == 0


def test_moves_made_today_are_counted_live(world, built, now):
    deal = f.make_opportunity(account=world.account_b, stage="validate")
    _change(deal, now, 0)
    _change(built["a_validate"], now, 0, move=Move.lost)
    db.session.flush()
    assert figures.gate_compliance(world.leader, figures.Filters(), now=now).advances == 4
    _assert_equal(world, now)


def test_deletions_and_team_changes_since_the_build_are_counted_live(world, built, now):
    built["b_validate"].deleted_at = now
    world.shared.team_id = world.team_b.id
    _change(f.make_opportunity(account=world.shared), now, 0)  # today, on the moved account
    db.session.flush()
    _assert_equal(world, now)
    world.account_a.deleted_at = now
    db.session.flush()
    _assert_equal(world, now)


def test_a_deal_deleted_at_the_build_and_restored_since_counts_again(world, deals, now):
    deals["b_validate"].deleted_at = now - timedelta(days=1)
    world.account_a.deleted_at = now - timedelta(days=1)
    db.session.flush()
    aggregate.rebuild(now=now)
    _assert_equal(world, now)
    deals["b_validate"].deleted_at = None
    world.account_a.deleted_at = None
    db.session.flush()
    # all three again
    assert figures.gate_compliance(world.leader, figures.Filters(), now=now).advances == 3
    _assert_equal(world, now)


def test_across_midnight_on_the_company_calendar(world, built, now):
    """Built on the 20th (Shanghai); read just after midnight there on the 21st, before the
    morning's build: the 20th is counted live, moves on either side of midnight fall on their
    day."""
    midnight = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # 00:00 on the 21st in Shanghai
    deal = f.make_opportunity(account=world.account_a)
    for at in (midnight - timedelta(minutes=10), midnight + timedelta(minutes=10)):
        db.session.add(
            StageChange(
                opportunity_id=deal.id,
                at=at,
                move=Move.advanced,
                from_stage="validate",
                to_stage="shape",
                gates=[],
                gates_met=True,
                overridden=False,
            )
        )
    db.session.flush()
    after = midnight + timedelta(minutes=30)
    with clock.frozen(after):
        on_the_20th = [figures.Filters(start=date(2026, 11, 20), end=date(2026, 11, 20))]
        _assert_equal(world, after, FILTERS + on_the_20th)
        assert figures.gate_compliance(world.leader, on_the_20th[0], now=after).advances == 1
        aggregate.rebuild(now=after)
        assert db.session.scalar(sa.select(PipelineMoveBuild.through)) == date(2026, 11, 20)
        _assert_equal(world, after, FILTERS + on_the_20th)


def test_a_person_filter_and_an_empty_aggregate_count_live(world, deals, now):
    assert db.session.scalar(sa.select(PipelineMoveBuild)) is None
    _assert_equal(world, now)
    aggregate.rebuild(now=now)
    person = figures.Filters(user_id=world.rep_a2.id)
    assert figures.period_moves(world.leader, person, now=now) == moves.live_moves(
        world.leader, person, now=now
    )


def test_the_scheduler_and_the_command_rebuild_it(app, world, deals, now):
    assert registry.JOBS["pipeline_moves"].period == "day"
    registry.JOBS["pipeline_moves"].run(now)
    assert db.session.scalar(sa.select(PipelineMoveBuild.through)) == date(2026, 11, 19)
    with clock.frozen(now + timedelta(days=1)):
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["pipeline", "rebuild-moves"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(PipelineMoveBuild.through)) == date(2026, 11, 20)


def _week_live(user, filters, now):
    """The week's moves by kind, counted from the stage changes alone (the definition)."""
    rows = db.session.execute(
        sa.select(StageChange.move, sa.func.count())
        .join(Opportunity, Opportunity.id == StageChange.opportunity_id)
        .join(Account, Account.id == Opportunity.account_id)
        .where(
            *deals_where(user, filters, versions()),
            StageChange.move.in_(WEEK_MOVES),
            *in_week(StageChange.at, now),
        )
        .group_by(StageChange.move)
    )
    return {Move(move): n for move, n in rows}


def test_the_weeks_moves_from_the_aggregate_equal_the_stage_changes(world, built, now):
    """The week starts at this moment 7 days ago: the moves of that first day before it are not
    the week's, those after it are; the whole days after come from the aggregate."""
    week_ago = now - timedelta(days=7)
    deal = f.make_opportunity(account=world.account_b)
    for at, move in (
        (week_ago - timedelta(minutes=5), Move.won),  # the first day, before the moment
        (week_ago + timedelta(minutes=5), Move.lost),  # the first day, after it
        (now - timedelta(days=4), Move.moved_back),
        (now, Move.advanced),  # today, live
    ):
        db.session.add(
            StageChange(
                opportunity_id=deal.id,
                at=at,
                move=move,
                from_stage="validate",
                to_stage="shape",
                gates=[],
                gates_met=True,
                overridden=False,
            )
        )
    db.session.flush()
    aggregate.rebuild(now=now)
    world.shared.team_id = world.team_b.id  # counted live until the next build
    db.session.flush()
    for user in (world.leader, world.director_a, world.director_b):
        for chosen in (figures.Filters(), figures.Filters(playbook="enterprise")):
            week = figures.movement(user, chosen, now=now)
            counted = {
                move: getattr(week, name)
                for move, name in WEEK_MOVES.items()
                if getattr(week, name)
            }
            assert counted == _week_live(user, chosen, now), (user.name, chosen)
    assert figures.movement(world.director_b, figures.Filters(), now=now).lost == 1
    assert figures.movement(world.director_b, figures.Filters(), now=now).won == 0
