"""The period's moves out of a stage: the one pass over the period's stage changes that both gate
compliance and conversion read."""

from datetime import datetime

import sqlalchemy as sa

from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.opportunities.models import Move, Opportunity, StageChange
from salesflow.pipeline.figures.filters import Filters, deals_where, in_period, versions

EXITS = (Move.advanced, Move.moved_back, Move.won, Move.lost)  # ways of leaving a stage
FORWARD = (Move.advanced, Move.won)  # winning leaves the last stage forward

Moves = list[tuple[int, str | None, Move, bool, bool, int]]


def period_moves(user: User, filters: Filters, *, now: datetime) -> Moves:
    """Every way of leaving a stage in the period, counted per (version, from stage, move,
    gates met, overridden): the one pass over the period's stage changes that both gate
    compliance and conversion read. One grouped query."""
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
        .where(
            *deals_where(user, filters, versions()),
            StageChange.move.in_(EXITS),
            *in_period(StageChange.at, filters, now),
        )
        .group_by(*group)
    ).all()
    return [
        (v, stage, Move(move), bool(met), bool(over), int(n))
        for v, stage, move, met, over, n in rows
    ]
