"""Satisfaction = perceived − expected (issue 17): its trend by quarter (the company calendar) over
the last year, per account and per team — a pure trend over (moment, perceived, expected) rows,
fed by one query for any number of accounts or teams."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

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


def _mean(gaps: list[int]) -> float | None:
    return round(sum(gaps) / len(gaps), 2) if gaps else None


def trend(rows: Iterable[tuple[date, int, int]], today: date, count: int = QUARTERS) -> Trend:
    """The trend of (company-calendar day, perceived, expected) rows: each quarter's mean gap."""
    starts = quarters(today, count)
    gaps: dict[date, list[int]] = defaultdict(list)
    for day, perceived, expected in rows:
        start = quarter_start(day)
        if starts[0] <= start <= starts[-1] and day <= today:
            gaps[start].append(perceived - expected)
    points = [Point(s, _mean(gaps[s]), len(gaps[s])) for s in starts]
    every = [g for s in starts for g in gaps[s]]
    return Trend(points, _mean(every), len(every))


def _window_start(now: datetime, count: int) -> datetime:
    first = quarters(clock.today(now), count)[0]
    return datetime.combine(first, time(), clock.zone())


def for_accounts(account_ids: object, now: datetime, count: int = QUARTERS) -> dict[int, Trend]:
    """The trend of each account (ids or a select of ids) in one query; accounts without records
    in the window have an empty trend."""
    rows = db.session.execute(
        sa.select(
            PerceptionRecord.account_id,
            PerceptionRecord.at,
            PerceptionRecord.perceived,
            PerceptionRecord.expected,
        ).where(
            PerceptionRecord.account_id.in_(account_ids),
            PerceptionRecord.at >= _window_start(now, count),
            PerceptionRecord.at <= now,
        )
    ).all()
    return _grouped(rows, now, count)


def for_teams(visible: sa.ColumnElement[bool], now: datetime, count: int = QUARTERS) -> dict:
    """The trend of each team (team id; None for accounts without a team) over the accounts of
    `visible` (a WHERE clause on Account, e.g. scope.visible_accounts), in one query."""
    rows = db.session.execute(
        sa.select(
            Account.team_id,
            PerceptionRecord.at,
            PerceptionRecord.perceived,
            PerceptionRecord.expected,
        )
        .join(Account, Account.id == PerceptionRecord.account_id)
        .where(
            visible,
            PerceptionRecord.at >= _window_start(now, count),
            PerceptionRecord.at <= now,
        )
    ).all()
    return _grouped(rows, now, count)


def _grouped(rows: list, now: datetime, count: int) -> dict:
    today = clock.today(now)
    by_key: dict = defaultdict(list)
    for key, at, perceived, expected in rows:
        by_key[key].append((clock.today(at), perceived, expected))
    return {key: trend(found, today, count) for key, found in by_key.items()}


def empty(now: datetime, count: int = QUARTERS) -> Trend:
    return trend((), clock.today(now), count)
