"""The period's moves out of a stage: the one pass over the period's stage changes that both gate
compliance and conversion read. The days up to yesterday come from the daily aggregate
(pipeline/aggregate.py builds it), today and whatever the aggregate cannot say live."""

from collections import Counter
from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from salesflow import clock, scope
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.opportunities.models import Move, Opportunity, StageChange
from salesflow.pipeline.figures.filters import (
    Filters,
    deals_where,
    in_period,
    period,
    versions,
    versions_of,
)
from salesflow.pipeline.models import PipelineMoveAccount, PipelineMoveBuild, PipelineMoveDay
from salesflow.teams.models import Team

EXITS = (Move.advanced, Move.moved_back, Move.won, Move.lost)  # ways of leaving a stage
FORWARD = (Move.advanced, Move.won)  # winning leaves the last stage forward

Moves = list[tuple[int, str | None, Move, bool, bool, int]]
Key = tuple[int, str | None, Move, bool, bool]  # version, from stage, move, gates met, overridden


def _key(version: int, stage: str | None, move: Any, met: Any, over: Any) -> Key:
    return (version, stage, Move(move), bool(met), bool(over))


def counted(where: list[Any]) -> Counter[Key]:
    """The exits out of a stage of the stage changes `where` selects (Opportunity and Account
    joined), counted per Key. One grouped query."""
    group = (
        Opportunity.playbook_version_id,
        StageChange.from_stage,
        StageChange.move,
        StageChange.gates_met,
        StageChange.overridden,
    )
    rows = db.session.execute(
        sa.select(*group, sa.func.count())
        .join(Opportunity, Opportunity.id == StageChange.opportunity_id)
        .join(Account, Account.id == Opportunity.account_id)
        .where(StageChange.move.in_(EXITS), *where)
        .group_by(*group)
    )
    return Counter({_key(*row[:-1]): int(row[-1]) for row in rows})


def _listed(counts: Counter[Key]) -> Moves:
    return [(*key, n) for key, n in counts.items() if n > 0]


def live_moves(user: User, filters: Filters, *, now: datetime) -> Moves:
    """period_moves computed from the stage changes alone (what the aggregate is tested equal
    to, and what a person filter reads)."""
    where = [*deals_where(user, filters, versions()), *in_period(StageChange.at, filters, now)]
    return _listed(counted(where))


def period_moves(user: User, filters: Filters, *, now: datetime) -> Moves:
    """Every way of leaving a stage in the period, counted per (version, from stage, move,
    gates met, overridden). The days the daily aggregate counts are read from it for the
    reader's teams (scoped before grouping); the accounts whose team or deletion changed since
    it was built, the days after it (today) and a person filter are counted live. Equal to
    live_moves; a few small queries."""
    build = db.session.scalar(sa.select(PipelineMoveBuild).limit(1))
    start, end = period(filters, now)
    if build is None or filters.user_id or not scope.can_review_pipeline(user):
        return live_moves(user, filters, now=now)
    split = min(end, datetime.combine(build.through + timedelta(days=1), time.min, clock.zone()))
    if split <= start:
        return live_moves(user, filters, now=now)
    by_version = versions()
    where = deals_where(user, filters, by_version)
    counts = _stored(user, filters, by_version, (start, split))
    changed = changed_accounts(build)
    if changed:
        counts.subtract(_built_for(user, filters, by_version, (start, split), changed, build))
        in_changed = Account.id.in_(sorted(changed))
        counts.update(
            counted([*where, in_changed, StageChange.at >= start, StageChange.at < split])
        )
    if split < end:
        counts.update(counted([*where, StageChange.at >= split, StageChange.at < end]))
    return _listed(counts)


def teams_where(user: User, filters: Filters, by_version: dict[int, Any], team: Any, version: Any):
    """The teams `user` sees (scope.visible_teams: a reviewer sees whole teams) and the
    filters, on the aggregate's `team` and `version` columns."""
    where: list[Any] = [team.in_(sa.select(Team.id).where(scope.visible_teams(user)))]
    if filters.team_id:
        where.append(team == filters.team_id)
    if filters.playbook:
        where.append(version.in_(versions_of(by_version, filters.playbook)))
    return where


def _stored(
    user: User, filters: Filters, by_version: dict[int, Any], span: tuple[datetime, datetime]
) -> Counter[Key]:
    """The aggregate's counts for the days of `span` (company calendar) on the teams `user`
    sees, filtered: grouped over a few thousand rows, never the stage changes."""
    day = PipelineMoveDay
    group = (day.playbook_version_id, day.from_stage, day.move, day.gates_met, day.overridden)
    rows = db.session.execute(
        sa.select(*group, sa.func.sum(day.moves))
        .where(
            *teams_where(user, filters, by_version, day.team_id, day.playbook_version_id),
            day.day >= span[0].date(),
            day.day < span[1].date(),
        )
        .group_by(*group)
    )
    return Counter({_key(*row[:-1]): int(row[-1]) for row in rows})


def _built_for(
    user: User,
    filters: Filters,
    by_version: dict[int, Any],
    span: tuple[datetime, datetime],
    accounts: set[int],
    build: PipelineMoveBuild,
) -> Counter[Key]:
    """What the aggregate counted for `accounts` in `span`, to take back out: their deals'
    stage changes, of the deals not deleted at the build and the accounts not deleted then,
    under the team each account had then."""
    snap = PipelineMoveAccount
    return counted(
        [
            *teams_where(user, filters, by_version, snap.team_id, Opportunity.playbook_version_id),
            Account.id.in_(sorted(accounts)),
            snap.account_id == Account.id,
            snap.deleted.is_(False),
            Opportunity.id.not_in(build.deleted_deals or []),
            StageChange.at >= span[0],
            StageChange.at < span[1],
        ]
    )


def changed_accounts(build: PipelineMoveBuild) -> set[int]:
    """The accounts the aggregate no longer counts right: those whose team or deletion changed
    since it was built, and those with a deal deleted or restored since. Two queries (the
    deleted deals are found by the index on their deletion)."""
    snap = PipelineMoveAccount
    now_deleted = Account.deleted_at.is_not(None)
    moved = db.session.scalars(
        sa.select(snap.account_id)
        .join(Account, Account.id == snap.account_id)
        .where(
            sa.or_(
                Account.team_id != snap.team_id,
                sa.and_(snap.deleted.is_(False), now_deleted),
                sa.and_(snap.deleted.is_(True), ~now_deleted),
            )
        )
    )
    were = build.deleted_deals or []
    flipped: sa.ColumnElement[bool] = Opportunity.deleted_at.is_not(None)  # by its index
    if were:
        flipped = sa.or_(
            sa.and_(flipped, Opportunity.id.not_in(were)),
            sa.and_(Opportunity.deleted_at.is_(None), Opportunity.id.in_(were)),
        )
    deals = db.session.scalars(sa.select(Opportunity.account_id).where(flipped))
    return set(moved) | set(deals)
