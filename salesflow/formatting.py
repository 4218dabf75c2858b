"""Dates, times, money and numbers as the reader reads them: Flask-Babel's formats in the reader's
locale, times on the company's clock (clock.zone()). The one home of the template filters
`|date`, `|datetime`, `|money(currency)` and `|number`, and what gate texts and audit trails use
(STYLE.md rule 16: words for people, keys for machines).

Outside a request (jobs, the CLI, e-mails built by a job) the reader is unknown: English."""

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from babel import Locale, dates, numbers
from flask import current_app, has_app_context, has_request_context
from flask_babel import get_locale

from salesflow import clock

EMPTY = "—"
# The money pattern: thousands grouped as the locale groups them, cents only when there are
# some, the ISO code after the amount (CNY and USD side by side stay unambiguous in both
# languages; "¥" is the yen too).
MONEY_PATTERN = "#,##0.## ¤¤"


def locale() -> Locale:
    """The reader's locale; English outside a request."""
    found = get_locale() if has_request_context() else None
    return found or Locale.parse("en")


def _zone() -> Any:
    return clock.zone() if has_app_context() else UTC


def _moment(value: Any) -> datetime | None:
    """A stored moment (aware, naive UTC, or the ISO text an audit entry keeps) on the company
    clock."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(_zone())


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return _moment(value).date()  # type: ignore[union-attr]
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            moment = _moment(value)
            return moment.date() if moment else None
    return None


def format_date(value: Any, fmt: str = "medium") -> str:
    """A day ("Dec 1, 2026", "2026年12月1日"); a moment gives its company-calendar day."""
    day = _day(value)
    if day is None:
        return EMPTY if value in (None, "") else str(value)
    return dates.format_date(day, fmt, locale=locale())


def format_month(value: Any) -> str:
    """A month key ("2027-03", how figures group by month) as the reader names the month ("Mar
    2027", "2027年3月"); anything else as it is."""
    try:
        year, month = (int(part) for part in str(value).split("-"))
        day = date(year, month, 1)
    except ValueError:
        return str(value)
    return dates.format_skeleton("yMMM", day, locale=locale())


def format_datetime(value: Any, fmt: str = "medium") -> str:
    """A moment on the company clock, the day as |date shows it and the time to the minute
    ("Dec 1, 2026, 7:18 PM", "2026年12月1日 19:18"): never UTC, never microseconds."""
    moment = _moment(value)
    if moment is None:
        return format_date(value)
    reader = locale()
    day = dates.format_date(moment.date(), fmt, locale=reader)
    time = dates.format_time(moment, "short", tzinfo=moment.tzinfo, locale=reader)
    pattern = reader.datetime_formats.get(fmt) or reader.datetime_formats["medium"]
    return str(pattern).replace("{1}", day).replace("{0}", time)


def _amount(value: Any) -> Decimal | None:
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def format_money(value: Any, currency: str | None = None) -> str:
    """An amount with its currency ("1,200,000.5 CNY"); with no currency given, the company's
    (an interaction's cost)."""
    amount = None if value in (None, "") else _amount(value)
    if amount is None:
        return EMPTY if value in (None, "") else str(value)
    code = currency or (current_app.config.get("CURRENCY") if has_app_context() else None)
    if not code:
        return numbers.format_decimal(amount, "#,##0.##", locale=locale())
    return numbers.format_currency(
        amount, code, MONEY_PATTERN, locale=locale(), currency_digits=False
    )


def format_number(value: Any, fmt: str | None = None) -> str:
    """A number as the locale writes it (`fmt` a Babel pattern, e.g. "#,##0.0")."""
    amount = None if value in (None, "") else _amount(value)
    if amount is None:
        return EMPTY if value in (None, "") else str(value)
    return numbers.format_decimal(amount, fmt, locale=locale())


FILTERS = {
    "date": format_date,
    "datetime": format_datetime,
    "money": format_money,
    "number": format_number,
}
