"""The only place that reads the wall clock (STYLE.md rule 12). Tests freeze it. Also the
company calendar: the day a moment falls on where the company works (BABEL_DEFAULT_TIMEZONE)."""

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

_frozen: datetime | None = None
EPOCH = date(1970, 1, 1).toordinal()


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


@contextmanager
def frozen(at: datetime) -> Iterator[datetime]:
    """Make now() answer `at` inside the block (tests, reports evaluated `?at=`)."""
    global _frozen
    previous, _frozen = _frozen, at.astimezone(UTC)
    try:
        yield _frozen
    finally:
        _frozen = previous


def zone() -> ZoneInfo:
    """The company's time zone (BABEL_DEFAULT_TIMEZONE)."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def today(at: datetime) -> date:
    """The company-calendar day of the moment `at`: 09:30 UTC on a Friday is 17:30 that Friday
    in Shanghai, 23:30 UTC is already Saturday there."""
    return at.astimezone(zone()).date()


def day_number(at: datetime) -> int:
    """The company-calendar day of `at` as days since 1970-01-01 (how tie touches store days)."""
    return today(at).toordinal() - EPOCH


def day_date(number: int) -> date:
    """The date of a company-calendar day number (the inverse of day_number on dates)."""
    return date.fromordinal(number + EPOCH)


# The company's working days (lead times and turnaround of requests): Monday to Friday, except
# the holidays of config COMPANY_HOLIDAYS (ISO dates).


def _holidays() -> frozenset[date]:
    return frozenset(date.fromisoformat(d) for d in current_app.config["COMPANY_HOLIDAYS"])


def is_working_day(d: date) -> bool:
    """Whether the company works on `d`: a weekday that is not a holiday."""
    return d.weekday() < 5 and d not in _holidays()


def working_days_between(a: date, b: date) -> int:
    """The working days after `a` up to and including `b`; negative (the same count) when `b`
    is before `a`, 0 when they are the same day."""
    if b < a:
        return -working_days_between(b, a)
    holidays = _holidays()
    weeks, rest = divmod((b - a).days, 7)
    count = weeks * 5
    for n in range(1, rest + 1):
        count += (a + timedelta(days=n)).weekday() < 5
    off = sum(1 for h in holidays if a < h <= b and h.weekday() < 5)
    return count - off


def add_working_days(d: date, n: int, *, holidays: Collection[date] | None = None) -> date:
    """The `n`th working day after `d` (before it when `n` is negative; `d` itself when 0).
    `holidays` replaces the configured ones (the demo generator runs without an app)."""
    off = _holidays() if holidays is None else frozenset(holidays)
    step = 1 if n >= 0 else -1
    left = abs(n)
    while left:
        d += timedelta(days=step)
        if d.weekday() < 5 and d not in off:
            left -= 1
    return d
