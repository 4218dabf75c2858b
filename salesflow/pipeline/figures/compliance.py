"""Gate compliance (PRODUCT.md): the forward advances of the period that met every gate, and the
overrides with their reasons."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.opportunities.models import Move, Opportunity, StageChange
from salesflow.pipeline.figures.filters import Filters, deals_where, in_period, versions
from salesflow.pipeline.figures.moves import Moves, period_moves

OVERRIDES_SHOWN = 100


@dataclass
class Compliance:
    advances: int = 0
    met: int = 0  # advances that met every gate
    overrides: list[Any] = field(default_factory=list)  # (change, deal name), newest first
    override_count: int = 0  # all of them, shown or not

    @property
    def share(self) -> float | None:
        return self.met / self.advances if self.advances else None


def gate_compliance(
    user: User, filters: Filters, *, now: datetime, moves: Moves | None = None
) -> Compliance:
    """Forward advances in the period (default: the last 90 days): how many met every gate, and
    the newest OVERRIDES_SHOWN overrides with their reasons (and how many there were). Reads
    `moves` (period_moves) when given, and one query for the overrides shown."""
    by_version = versions()
    result = Compliance()
    for _version, _stage, move, met, overridden, count in (
        period_moves(user, filters, now=now) if moves is None else moves
    ):
        if move == Move.advanced:
            result.advances += count
            result.met += count if met else 0
            result.override_count += count if overridden else 0
    where = [
        *deals_where(user, filters, by_version),
        StageChange.move == Move.advanced,
        *in_period(StageChange.at, filters, now),
    ]
    overrides = db.session.execute(
        sa.select(StageChange, Opportunity.name)
        .join(Opportunity, Opportunity.id == StageChange.opportunity_id)
        .join(Account, Account.id == Opportunity.account_id)
        .where(*where, StageChange.overridden.is_(True))
        .order_by(StageChange.at.desc(), StageChange.id.desc())
        .limit(OVERRIDES_SHOWN)
    ).all()
    result.overrides = [tuple(r) for r in overrides]
    return result
