"""The daily snapshot of every account's dependency figures, and the trend read from them.

Taking the snapshot twice on one day replaces that day's rows (idempotent); one set-wise
computation for the whole company, one bulk insert. Today's snapshot also answers the live
report for every account whose ties and contacts have not changed since (queries.report): tie
ages are whole days, so nothing else moves the figures within a day.
"""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from salesflow import clock, scope
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.dependency import metrics
from salesflow.dependency.models import AccountSnapshot
from salesflow.dependency.queries import IN_FLIGHT, account_inputs
from salesflow.extensions import db
from salesflow.ties.models import TieChange


def take(*, now: datetime) -> int:
    """Snapshot every account (not deleted) as of `now` on today's date; returns the count.
    Flushes, never commits."""
    day = clock.today(now)
    teams = dict(
        db.session.execute(
            sa.select(Account.id, Account.team_id).where(Account.deleted_at.is_(None))
        ).all()
    )
    rows = []
    for account_id, inp in account_inputs(None, now=now).items():
        m = metrics.account_metrics(inp)
        rows.append(
            {
                "day": day,
                "account_id": account_id,
                "team_id": teams[account_id],
                "holder_id": m.holder_id,
                "top_share": m.top_share,
                "effective_holders": m.effective_holders,
                "key_contacts": len(m.key_contacts),
                "uncovered_key_contacts": len(m.uncovered_key_contacts),
                "single_threaded_key_contacts": len(m.single_threaded_key_contacts),
                "multi_threaded_coverage": m.multi_threaded_coverage,
                "bus_factor": m.bus_factor,
                "risk": m.risk.name,
                "taken_at": now,
                "shares": {str(user): share for user, share in m.shares.items()},
                "key_contact_ids": list(m.key_contacts),
                "uncovered_ids": list(m.uncovered_key_contacts),
                "single_threaded_ids": list(m.single_threaded_key_contacts),
            }
        )
    db.session.execute(sa.delete(AccountSnapshot).where(AccountSnapshot.day == day))
    db.session.execute(sa.delete(TieChange).where(TieChange.at < now - IN_FLIGHT))
    for start in range(0, len(rows), 2000):
        db.session.execute(sa.insert(AccountSnapshot), rows[start : start + 2000])
    return len(rows)


@dataclass(frozen=True)
class TrendPoint:
    day: date
    team_id: int
    effective_holders: float | None  # the team's average over accounts with relationships
    high_risk: int  # accounts at high risk


def trend(
    user: User, *, since: date, team_id: int | None = None, tier: str | None = None
) -> list[TrendPoint]:
    """Per team and day since `since`: average effective holders and high-risk accounts, for the
    accounts `user` may see now, of `team_id` and `tier` when given (one aggregate query)."""
    accounts = scope.visible_account_ids(user)
    if tier:
        accounts = accounts.where(Account.tier == tier)
    high = sa.func.sum(sa.case((AccountSnapshot.risk == "high", 1), else_=0))
    rows = db.session.execute(
        sa.select(
            AccountSnapshot.day,
            AccountSnapshot.team_id,
            sa.func.avg(AccountSnapshot.effective_holders),
            high,
        )
        .where(
            AccountSnapshot.day >= since,
            AccountSnapshot.account_id.in_(accounts),
            AccountSnapshot.team_id == team_id if team_id else sa.true(),
        )
        .group_by(AccountSnapshot.day, AccountSnapshot.team_id)
        .order_by(AccountSnapshot.day, AccountSnapshot.team_id)
    ).all()
    return [
        TrendPoint(day, team, float(avg) if avg is not None else None, int(count or 0))
        for day, team, avg, count in rows
    ]
