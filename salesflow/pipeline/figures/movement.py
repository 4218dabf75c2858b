"""The week's movement: deals created, moved forward and back, won and lost in the last 7 days,
and the open deals whose expected close slipped since the pipeline snapshot of a week ago."""

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from salesflow import clock
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.opportunities.models import Move, Opportunity, StageChange, Status
from salesflow.pipeline.figures.filters import Filters, deals_where, versions
from salesflow.pipeline.figures.moves import period_moves
from salesflow.pipeline.models import PipelineSnapshot
from salesflow.pipeline.snapshots import snapshot_day

WEEK = 7
WEEK_MOVES = {
    Move.advanced: "advanced",
    Move.moved_back: "regressed",
    Move.won: "won",
    Move.lost: "lost",
}


@dataclass
class Movement:
    start: date  # the week: the 7 days up to today
    new: int = 0
    advanced: int = 0
    regressed: int = 0
    won: int = 0
    lost: int = 0
    slipped: int | None = None  # deals; None: no snapshot to compare with


def in_week(column: Any, now: datetime) -> list[sa.ColumnElement[bool]]:
    return [column > now - timedelta(days=WEEK), column <= now]


def slip_base(now: datetime) -> date | None:
    """The pipeline snapshot the week is compared with: the latest one on or before the week's
    first day."""
    return db.session.scalar(
        sa.select(sa.func.max(PipelineSnapshot.day)).where(
            PipelineSnapshot.day <= snapshot_day(now - timedelta(WEEK))
        )
    )


def slipped_since(base_day: date) -> sa.ColumnElement[bool]:
    """Open, and its expected close is later than in the snapshot of `base_day`."""
    return (Opportunity.status == Status.open) & (
        sa.select(PipelineSnapshot.id)
        .where(
            PipelineSnapshot.opportunity_id == Opportunity.id,
            PipelineSnapshot.day == base_day,
            Opportunity.expected_close > PipelineSnapshot.expected_close,
        )
        .exists()
    )


def week_moves(user: User, filters: Filters, now: datetime, where: list[Any]) -> Counter[Move]:
    """The moves of the last 7 days by kind: the whole days after the moment a week ago from
    the moves' period count (period_moves: the daily aggregate up to yesterday, today live), the
    rest of the first day live. Equal to counting the week's stage changes (tested)."""
    started = now - timedelta(days=WEEK)
    midnight = datetime.combine(clock.today(started) + timedelta(days=1), time.min, clock.zone())
    days = replace(filters, start=clock.today(midnight), end=clock.today(now))
    counts: Counter[Move] = Counter()
    for _version, _stage, move, _met, _overridden, moves in period_moves(user, days, now=now):
        counts[move] += moves
    first_day = db.session.execute(
        sa.select(StageChange.move, sa.func.count())
        .join(Opportunity, Opportunity.id == StageChange.opportunity_id)
        .join(Account, Account.id == Opportunity.account_id)
        .where(
            *where,
            StageChange.move.in_(WEEK_MOVES),
            StageChange.at > started,
            StageChange.at < midnight,
        )
        .group_by(StageChange.move)
    )
    counts.update({Move(move): int(moves) for move, moves in first_day})
    return Counter({move: n for move, n in counts.items() if move in WEEK_MOVES and n})


def week_start(now: datetime) -> date:
    """The first day of the week the movement counts: the company-calendar day 7 days ago."""
    return snapshot_day(now - timedelta(days=WEEK))


def movement(user: User, filters: Filters, *, now: datetime) -> Movement:
    """The week's movement: deals created, moves forward and back, won and lost in the last 7
    days, and how many open deals' expected close moved later since the pipeline snapshot of
    the week's first day (the latest one on or before it). The moves from the daily aggregate
    (week_moves); a few queries."""
    by_version = versions()
    where = deals_where(user, filters, by_version)
    result = Movement(week_start(now))

    def count(*conditions: Any) -> int:
        return int(
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Opportunity)
                .join(Account, Account.id == Opportunity.account_id)
                .where(*where, *conditions)
            )
            or 0
        )

    result.new = count(*in_week(Opportunity.created_at, now))
    for move, moves in week_moves(user, filters, now, where).items():
        setattr(result, WEEK_MOVES[move], moves)
    base_day = slip_base(now)
    if base_day is not None:
        result.slipped = count(slipped_since(base_day))
    return result
