"""The daily snapshot of every account's dependency figures, and the trend read from them.

Taking the snapshot twice on one day replaces that day's rows (idempotent); one set-wise
computation for the whole company, one bulk insert. Today's snapshot also answers the live
report for every account (queries.report): tie ages are whole days, so within a day only a change
of the tie counts, of a contact or of who is gone moves the figures; each such change refreshes
its accounts' rows in the same transaction (refresh), so nothing is recomputed when read.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from salesflow import clock, scope
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.dependency import metrics
from salesflow.dependency.models import AccountSnapshot
from salesflow.dependency.queries import IN_FLIGHT, holdings
from salesflow.extensions import db
from salesflow.ties.models import TieChange


def _figures(m: metrics.AccountMetrics) -> dict[str, Any]:
    """One account's stored figures (the columns of AccountSnapshot that follow the metrics)."""
    return {
        "holder_id": m.holder_id,
        "top_share": m.top_share,
        "effective_holders": m.effective_holders,
        "key_contacts": len(m.key_contacts),
        "uncovered_key_contacts": len(m.uncovered_key_contacts),
        "single_threaded_key_contacts": len(m.single_threaded_key_contacts),
        "multi_threaded_coverage": m.multi_threaded_coverage,
        "bus_factor": m.bus_factor,
        "risk": m.risk.name,
        "shares": {str(user): share for user, share in m.shares.items()},
        "key_contact_ids": list(m.key_contacts),
        "uncovered_ids": list(m.uncovered_key_contacts),
        "single_threaded_ids": list(m.single_threaded_key_contacts),
    }


def take(*, now: datetime) -> int:
    """Snapshot every account (not deleted) as of `now` on today's date; returns the count.
    Flushes, never commits."""
    day = clock.today(now)
    teams = dict(
        db.session.execute(
            sa.select(Account.id, Account.team_id).where(Account.deleted_at.is_(None))
        ).all()
    )
    rows = [
        {
            "day": day,
            "account_id": account_id,
            "team_id": teams[account_id],
            "taken_at": now,
            **_figures(metrics.account_metrics(inp)),
        }
        for account_id, inp in holdings(None, now=now).items()
    ]
    db.session.execute(sa.delete(AccountSnapshot).where(AccountSnapshot.day == day))
    db.session.execute(sa.delete(TieChange).where(TieChange.at < now - IN_FLIGHT))
    for start in range(0, len(rows), 2000):
        db.session.execute(sa.insert(AccountSnapshot), rows[start : start + 2000])
    return len(rows)


def refresh(account_ids: Collection[int], *, now: datetime) -> int:
    """Recompute today's snapshot rows of these accounts, whose figures' inputs this transaction
    just changed — tie counts, contacts, who has gone, the account's team (ties.touches.changed
    calls it through the app) — so the report answers from the snapshot all day instead of
    recomputing at read time. Returns how many rows it recomputed; none when today has no
    snapshot yet (the report is live then).

    The rows are locked first, in account order, and the counts read after: a transaction
    changing the same account waits for ours and then reads our counts (PostgreSQL's read
    committed; SQLite has one writer at a time), so the last row written counts both."""
    table = AccountSnapshot.__table__
    teams = dict(
        db.session.execute(
            sa.select(AccountSnapshot.account_id, Account.team_id)
            .join(Account, Account.id == AccountSnapshot.account_id)
            .where(
                AccountSnapshot.day == clock.today(now),
                AccountSnapshot.account_id.in_(set(account_ids)),
                AccountSnapshot.shares.is_not(None),
            )
            .order_by(AccountSnapshot.account_id)
            .with_for_update(of=AccountSnapshot)
        ).all()
    )
    if not teams:
        return 0
    rows = [
        {"row_day": clock.today(now), "row_account": a, "refreshed_at": now, "team_id": teams[a]}
        | _figures(metrics.account_metrics(inp))
        for a, inp in holdings(set(teams), now=now).items()
    ]
    if rows:
        statement = (
            sa.update(table)
            .where(
                table.c.day == sa.bindparam("row_day"),
                table.c.account_id == sa.bindparam("row_account"),
            )
            .values(
                {
                    key: sa.bindparam(key, type_=table.c[key].type)
                    for key in rows[0]
                    if not key.startswith("row_")
                }
            )
        )
        db.session.connection().execute(statement, rows)
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
