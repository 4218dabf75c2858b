"""The deals closed in the period: won and lost (the win rate), the won deals' average cycle, and
the loss reasons ranked."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.opportunities.models import Opportunity, Status
from salesflow.pipeline.figures.filters import Filters, deals_where, in_period, versions
from salesflow.playbooks.schema import OTHER


def loss_reason() -> sa.ColumnElement[str]:
    """A lost deal's reason as the review groups it: the key of its playbook's loss reasons
    ("other" for a deal lost before they were listed and not mapped)."""
    return sa.func.coalesce(Opportunity.loss_reason, OTHER)


@dataclass
class Outcomes:
    won: int = 0
    lost: int = 0
    cycle_days: float | None = None  # average days from creation to won
    loss_reasons: list[tuple[str, int]] = field(default_factory=list)  # (key, deals), most first

    @property
    def win_rate(self) -> float | None:
        return self.won / (self.won + self.lost) if self.won + self.lost else None


def outcomes(user: User, filters: Filters, *, now: datetime) -> Outcomes:
    """Deals closed in the period: won and lost (win rate = won ÷ (won + lost)), the average
    cycle of the won ones, and the loss reasons ranked. Three queries."""
    by_version = versions()
    where = [
        *deals_where(user, filters, by_version),
        *in_period(Opportunity.closed_at, filters, now),
    ]

    def query(*columns: Any) -> sa.Select[Any]:
        return sa.select(*columns).join(Account, Account.id == Opportunity.account_id).where(*where)

    counts = {
        status: int(n)
        for status, n in db.session.execute(
            query(Opportunity.status, sa.func.count()).group_by(Opportunity.status)
        )
    }
    cycles = [
        (closed - created).total_seconds() / 86400
        for created, closed in db.session.execute(
            query(Opportunity.created_at, Opportunity.closed_at).where(
                Opportunity.status == Status.won
            )
        )
    ]
    reason = loss_reason()
    reasons = [
        (text, int(n))
        for text, n in db.session.execute(
            query(reason, sa.func.count())
            .where(Opportunity.status == Status.lost)
            .group_by(reason)
            .order_by(sa.func.count().desc(), reason)
        )
    ]
    return Outcomes(
        counts.get(Status.won, 0),
        counts.get(Status.lost, 0),
        sum(cycles) / len(cycles) if cycles else None,
        reasons,
    )
