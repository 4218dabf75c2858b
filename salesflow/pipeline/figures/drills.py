"""The deals behind each number of the review: a figure's name maps to its condition on the deal,
built from the same pieces as the figure. `key` says which row: "playbook:stage", a close month
"YYYY-MM" ("" for undated), a loss reason; None for a number with no rows."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from salesflow import clock
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.opportunities import rules
from salesflow.opportunities.models import Move, Opportunity, StageChange, Status
from salesflow.opportunities.queries import next_month
from salesflow.pipeline.figures.chain import chain_gap
from salesflow.pipeline.figures.filters import (
    Filters,
    deals_where,
    in_period,
    versions,
    versions_of,
)
from salesflow.pipeline.figures.forecast import OVERDUE
from salesflow.pipeline.figures.movement import in_week, slip_base, slipped_since
from salesflow.pipeline.figures.moves import EXITS, FORWARD
from salesflow.pipeline.figures.outcomes import loss_reason
from salesflow.pipeline.figures.triangle import triangle_gap
from salesflow.playbooks.schema import Playbook
from salesflow.validation import parse_month

Condition = Any


def _moved(*conditions: Any) -> sa.ColumnElement[bool]:
    """The deal has a stage change meeting `conditions` (one per deal for a drill-down)."""
    return Opportunity.id.in_(sa.select(StageChange.opportunity_id).where(*conditions))


def _stage_of(by_version: dict[int, Playbook], key: str | None) -> Condition:
    playbook, _, stage = (key or "").partition(":")
    ids = versions_of(by_version, playbook)
    if not ids or not any(stage in {s.key for s in by_version[v].stages} for v in ids):
        raise LookupError(key)
    return Opportunity.playbook_version_id.in_(ids), stage


def _open_in_stage(by_version, filters, key, now) -> Condition:
    versions_in, stage = _stage_of(by_version, key)
    return sa.and_(Opportunity.status == Status.open, versions_in, Opportunity.stage_key == stage)


def _late(by_version, filters, key, now) -> Condition:
    over = (Opportunity.status == Status.open) & rules.over_limit_sql(by_version, now)
    return over if not key else over & _open_in_stage(by_version, filters, key, now)


def _overdue(by_version, filters, key, now) -> Condition:
    """Open deals whose expected close date is before today (the forecast's overdue row)."""
    return (Opportunity.status == Status.open) & (Opportunity.expected_close < clock.today(now))


def _closing_in(by_version, filters, key, now) -> Condition:
    if key == "":
        return (Opportunity.status == Status.open) & Opportunity.expected_close.is_(None)
    if key == OVERDUE:
        return _overdue(by_version, filters, key, now)
    try:
        first = parse_month(key)
    except ValueError:
        raise LookupError(key) from None
    if first is None:
        raise LookupError(key)
    return sa.and_(
        Opportunity.status == Status.open,
        Opportunity.expected_close >= max(first, clock.today(now)),  # the passed days: overdue
        Opportunity.expected_close < next_month(first),
    )


def _closed(status: Status) -> Any:
    def condition(by_version, filters, key, now) -> Condition:
        return sa.and_(
            Opportunity.status == status, *in_period(Opportunity.closed_at, filters, now)
        )

    return condition


def _lost_for(by_version, filters, key, now) -> Condition:
    if not key:
        raise LookupError(key)
    return _closed(Status.lost)(by_version, filters, key, now) & (loss_reason() == key)


def _left(moves: tuple[Move, ...]) -> Any:
    def condition(by_version, filters, key, now) -> Condition:
        versions_in, stage = _stage_of(by_version, key)
        return versions_in & _moved(
            StageChange.move.in_(moves),
            StageChange.from_stage == stage,
            *in_period(StageChange.at, filters, now),
        )

    return condition


def _advanced(*conditions: Any) -> Any:
    def condition(by_version, filters, key, now) -> Condition:
        return _moved(
            StageChange.move == Move.advanced,
            *conditions,
            *in_period(StageChange.at, filters, now),
        )

    return condition


def _week_move(move: Move) -> Any:
    def condition(by_version, filters, key, now) -> Condition:
        return _moved(StageChange.move == move, *in_week(StageChange.at, now))

    return condition


def _new(by_version, filters, key, now) -> Condition:
    return sa.and_(*in_week(Opportunity.created_at, now))


def _slipped_this_week(by_version, filters, key, now) -> Condition:
    base_day = slip_base(now)
    return sa.false() if base_day is None else slipped_since(base_day)


DRILLS: dict[str, Any] = {
    "stage": _open_in_stage,
    "late": _late,
    "month": _closing_in,
    "overdue": _overdue,
    "won": _closed(Status.won),
    "lost": _closed(Status.lost),
    "loss_reason": _lost_for,
    "left": _left(EXITS),
    "left_forward": _left(FORWARD),
    "advances": _advanced(),
    "advances_met": _advanced(StageChange.gates_met.is_(True)),
    "overrides": _advanced(StageChange.overridden.is_(True)),
    "triangle_gaps": lambda by_version, filters, key, now: triangle_gap(by_version),
    "chain_gaps": lambda by_version, filters, key, now: chain_gap(by_version, now),
    "week_new": _new,
    "week_advanced": _week_move(Move.advanced),
    "week_regressed": _week_move(Move.moved_back),
    "week_won": _week_move(Move.won),
    "week_lost": _week_move(Move.lost),
    "week_slipped": _slipped_this_week,
}


def drill(user: User, filters: Filters, figure: str, key: str | None, *, now: datetime) -> Any:
    """The deals behind one number of the review, as a query of Opportunity for a page
    (unordered); LookupError for an unknown figure or a key that names no row."""
    if figure not in DRILLS:
        raise LookupError(figure)
    by_version = versions()
    condition = DRILLS[figure](by_version, filters, key, now)
    ids = (
        sa.select(Opportunity.id)
        .join(Account, Account.id == Opportunity.account_id)
        .where(*deals_where(user, filters, by_version), condition)
    )
    return sa.select(Opportunity).where(Opportunity.id.in_(ids))
