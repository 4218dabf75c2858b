"""Satisfaction = perceived − expected (issue 17): its trend by quarter (the company calendar) over
the last year, per account and per team — a pure trend over (moment, perceived, expected) rows,
fed by one query for any number of accounts or teams."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa

from salesflow import clock
from salesflow.accounts.models import Account
from salesflow.extensions import db
from salesflow.key_accounts.expectations_models import PerceptionRecord

QUARTERS = 4  # the trend's length: this quarter and the three before it


@dataclass(frozen=True)
class Point:
    quarter: date  # the quarter's first day
    gap: float | None  # mean perceived − expected of its records; None: nothing recorded
    records: int


@dataclass(frozen=True)
class Trend:
    points: list[Point]  # oldest quarter first
    gap: float | None  # mean over every record of the trend's quarters
    records: int

    @property
    def below(self) -> bool:
        """The customer perceives less than it expected (the loss the issue warns of)."""
        return self.gap is not None and self.gap < 0


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarters(today: date, count: int = QUARTERS) -> list[date]:
    """The first days of the last `count` quarters, oldest first, ending with today's."""
    starts = [quarter_start(today)]
    for _n in range(count - 1):
        first = starts[0]
        starts.insert(0, date(first.year - (first.month == 1), (first.month - 4) % 12 + 1, 1))
    return starts


def _mean(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


def from_sums(sums: dict[int, tuple[int, int]], starts: list[date]) -> Trend:
    """The trend of each quarter's (sum of perceived − expected, records), by quarter index."""
    points = [
        Point(s, _mean(*sums.get(i, (0, 0))), sums.get(i, (0, 0))[1]) for i, s in enumerate(starts)
    ]
    total = sum(t for t, _n in sums.values())
    count = sum(n for _t, n in sums.values())
    return Trend(points, _mean(total, count), count)


def trend(rows: Iterable[tuple[date, int, int]], today: date, count: int = QUARTERS) -> Trend:
    """The trend of (company-calendar day, perceived, expected) rows: each quarter's mean gap."""
    starts = quarters(today, count)
    sums: dict[int, tuple[int, int]] = {}
    for day, perceived, expected in rows:
        start = quarter_start(day)
        if starts[0] <= start <= starts[-1] and day <= today:
            i = starts.index(start)
            total, n = sums.get(i, (0, 0))
            sums[i] = (total + perceived - expected, n + 1)
    return from_sums(sums, starts)


def _bounds(now: datetime, count: int) -> tuple[list[date], list[datetime]]:
    """The quarters' first days and the moments they begin on the company clock."""
    starts = quarters(clock.today(now), count)
    return starts, [datetime.combine(s, time(), clock.zone()) for s in starts]


def _grouped(key: Any, where: Any, now: datetime, count: int, *joins: Any) -> dict:
    """{key: Trend} from one query that sums the gaps per key and quarter in the database (a row
    per key and quarter, however many records)."""
    starts, moments = _bounds(now, count)
    at = PerceptionRecord.at
    quarter = sa.case(*[(at >= moments[i], i) for i in reversed(range(count))])
    query = sa.select(
        key,
        quarter,
        sa.func.sum(PerceptionRecord.perceived - PerceptionRecord.expected),
        sa.func.count(),
    )
    for target, on in joins:
        query = query.join(target, on)
    rows = db.session.execute(
        query.where(where, at >= moments[0], at <= now).group_by(key, quarter)
    ).all()
    sums: dict[Any, dict[int, tuple[int, int]]] = defaultdict(dict)
    for found, i, total, n in rows:
        sums[found][i] = (int(total), int(n))
    return {found: from_sums(by_quarter, starts) for found, by_quarter in sums.items()}


def for_accounts(account_ids: object, now: datetime, count: int = QUARTERS) -> dict[int, Trend]:
    """The trend of each account (ids or a select of ids) in one query; accounts without records
    in the window have none."""
    where = PerceptionRecord.account_id.in_(account_ids)
    return _grouped(PerceptionRecord.account_id, where, now, count)


def for_teams(visible: sa.ColumnElement[bool], now: datetime, count: int = QUARTERS) -> dict:
    """The trend of each team (team id; None for accounts without a team) over the accounts of
    `visible` (a WHERE clause on Account, e.g. scope.visible_accounts), in one query."""
    joined = (Account, Account.id == PerceptionRecord.account_id)
    return _grouped(Account.team_id, visible, now, count, joined)


def below(visible: sa.ColumnElement[bool], now: datetime, limit: int) -> dict[int, Trend]:
    """The accounts of `visible` whose customers perceive less than they expected over the trend's
    quarters, worst first (at most `limit`), with their trends — ranked in the database."""
    start = _bounds(now, QUARTERS)[1][0]
    gap = sa.func.sum(PerceptionRecord.perceived - PerceptionRecord.expected)
    worst = db.session.scalars(
        sa.select(PerceptionRecord.account_id)
        .join(Account, Account.id == PerceptionRecord.account_id)
        .where(visible, PerceptionRecord.at >= start, PerceptionRecord.at <= now)
        .group_by(PerceptionRecord.account_id)
        .having(gap < 0)
        .order_by(gap * 1.0 / sa.func.count(), PerceptionRecord.account_id)
        .limit(limit)
    ).all()
    trends = for_accounts(worst, now) if worst else {}
    return {account_id: trends[account_id] for account_id in worst}


def empty(now: datetime, count: int = QUARTERS) -> Trend:
    return from_sums({}, _bounds(now, count)[0])
