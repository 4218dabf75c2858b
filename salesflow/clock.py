"""The only place that reads the wall clock (STYLE.md rule 12). Tests freeze it. Also the
company calendar: the day a moment falls on where the company works (BABEL_DEFAULT_TIMEZONE)."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
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
