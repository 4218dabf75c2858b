"""Every input's one parser: ids, dates, months, moments, text, money and versions, each with a sane
range and a translated message (STYLE.md rule 8). Paths, query strings, forms, JSON bodies and the
services all call these, so nothing out of a column's range reaches the database, on either engine.

Services collect problems per field (`errors`) and raise one ValidationFailed with all of them.
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter

from salesflow.errors import Conflict, ValidationFailed

Errors = dict[str, list[str]]

# Ids are PostgreSQL `integer`s (SQLite's are wider): the narrower bound holds on both engines.
MAX_ID = 2**31 - 1
# Dates people mean: old customer history, contracts decades ahead. Any date arithmetic the reports
# do (a day's UTC bounds, a month's end, a period's length) stays far inside Python's and the
# engines' ranges.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)
_FIRST_MOMENT = datetime.combine(FIRST_DAY, time(), UTC) + timedelta(days=1)
_LAST_MOMENT = datetime.combine(LAST_DAY, time(), UTC) - timedelta(days=1)
_DIGITS = re.compile(r"[0-9]{1,10}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")
# Never meant in text: C0 controls, DEL and lone UTF-16 surrogates (which neither engine stores).
# Multi-line fields keep tab, newline and carriage return.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def add(errors: Errors, name: str, message: Any) -> None:
    errors.setdefault(name, []).append(str(message))


# Ids ----------------------------------------------------------------------------------------------


def is_id(value: Any) -> bool:
    """An int (not a bool) that can be a record's id on both engines."""
    return type(value) is int and 0 < value <= MAX_ID


def parse_id(raw: Any) -> int | None:
    """An id from a path, query string or form (ASCII digits) or a JSON number, else None."""
    if isinstance(raw, str):
        raw = int(raw) if _DIGITS.fullmatch(raw) else None
    return raw if is_id(raw) else None


def coerce_id(value: Any) -> int | None:
    """A select's value as an id for WTForms: blank is None; anything else that is not an id is
    the field's error (a tampered or out-of-range value), never a database error."""
    if value in (None, "", "None"):
        return None
    if (number := parse_id(value)) is None:
        raise ValueError(str(_l("Not one of the choices.")))
    return number


def coerce_ids(value: Any) -> int:
    """One value of a multiple select (WTForms coerce): an id, else the field's error."""
    if (number := coerce_id(value)) is None:
        raise ValueError(str(_l("Not one of the choices.")))
    return number


def ids(value: Any, name: str, errors: Errors) -> list[int] | None:
    """A list of ids (repeats dropped, order kept), else None with the problem noted."""
    if not isinstance(value, list | tuple) or not all(is_id(v) for v in value):
        add(errors, name, _l("Give a list of ids."))
        return None
    return list(dict.fromkeys(value))


class IdConverter(BaseConverter):
    """`<int:…>` in every route: an id in range, else 404 like any missing record, whatever the
    method — never a number the database cannot compare. (Werkzeug's own "no match" would make it
    a 405 where the path has other methods.)"""

    regex = r"[0-9]+"
    weight = 50
    part_isolating = True

    def to_python(self, value: str) -> int:
        if (number := parse_id(value)) is None:
            raise NotFound()
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


# Dates, months and moments --------------------------------------------------------------------

_DAY_RANGE = _l("Enter a date from 1900 to 2199.")


def day_problem(value: date) -> Any:
    """Why a date is refused (outside FIRST_DAY…LAST_DAY), or None."""
    return None if FIRST_DAY <= value <= LAST_DAY else _DAY_RANGE


def parse_day(raw: str | None) -> date | None:
    """A `YYYY-MM-DD` text (query string, form, file) as a date; blank is None. Raises ValueError
    with the message to show."""
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw) if _DAY.fullmatch(raw) else None
    except ValueError:
        value = None
    if value is None:
        raise ValueError(str(_l("Enter the date as YYYY-MM-DD.")))
    if problem := day_problem(value):
        raise ValueError(str(problem))
    return value


def parse_month(raw: str | None) -> date | None:
    """A `YYYY-MM` text as the month's first day; blank is None. Raises ValueError with the
    message to show."""
    if not raw:
        return None
    try:
        value = date.fromisoformat(f"{raw}-01") if _MONTH.fullmatch(raw) else None
    except ValueError:
        value = None
    if value is None:
        raise ValueError(str(_l("Enter the month as YYYY-MM.")))
    if problem := day_problem(value):
        raise ValueError(str(problem))
    return value


def day(value: Any, name: str, errors: Errors, *, required: Any = None) -> date | None:
    """A date (not a datetime) within range; None is allowed unless `required` (its message)."""
    if value is None:
        if required is not None:
            add(errors, name, required)
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        add(errors, name, _l("Enter a date."))
        return None
    if problem := day_problem(value):
        add(errors, name, problem)
        return None
    return value


def moment_problem(value: datetime) -> Any:
    """Why a point in time is refused (no offset, or outside the date range), or None."""
    if value.tzinfo is None or value.utcoffset() is None:
        return _l("Give the time with its time zone offset.")
    # Compared before any conversion: 0001-01-01T00:00+08:00 cannot even be turned into UTC.
    if not _FIRST_MOMENT <= value <= _LAST_MOMENT:
        return _DAY_RANGE
    return None


def moment(value: Any, name: str, errors: Errors, *, required: Any = None) -> datetime | None:
    """An aware datetime within range, in UTC; None is allowed unless `required`."""
    if value is None:
        if required is not None:
            add(errors, name, required)
        return None
    if not isinstance(value, datetime):
        add(errors, name, _l("Enter a date and time."))
        return None
    if problem := moment_problem(value):
        add(errors, name, problem)
        return None
    return value.astimezone(UTC)


# Text ---------------------------------------------------------------------------------------------


def max_length(attribute: Any) -> int:
    """The longest text a column holds: its String length, or for a Text column the cap in its
    `info={"max_length": n}`. The one place lengths come from (forms, API shapes, services)."""
    column: sa.Column[Any] = attribute.property.columns[0]
    length = getattr(column.type, "length", None) or column.info.get("max_length")
    if not length:
        raise LookupError(f"{column} has no length: give it info={{'max_length': n}}")
    return int(length)


def text(
    value: Any,
    name: str,
    errors: Errors,
    *,
    column: Any,
    multiline: bool = False,
    required: Any = None,
) -> str | None:
    """The cleaned text for `column`: stripped, empty as None. Refused, with the problem noted:
    anything but text, control characters (tab and line breaks only where `multiline`), more
    than the column holds, and an empty value when `required` (its message)."""
    if value is not None and not isinstance(value, str):
        add(errors, name, _l("Enter text."))
        return None
    value = (value or "").strip()
    limit = max_length(column)
    if (_CONTROL_MULTILINE if multiline else _CONTROL).search(value):
        add(errors, name, _l("Remove the control characters."))
    elif len(value) > limit:
        add(errors, name, _l("Use at most %(n)d characters.", n=limit))
    elif not value and required is not None:
        add(errors, name, required)
    else:
        return value or None
    return None


def has_control(value: str, *, multiline: bool = True) -> bool:
    """Whether `value` holds a character no text field accepts (for the API's shape check)."""
    return bool((_CONTROL_MULTILINE if multiline else _CONTROL).search(value))


# Money ------------------------------------------------------------------------------------------


def money(value: Any, name: str, errors: Errors, *, maximum: Decimal, negative: Any) -> Any:
    """A decimal amount ≥ 0 and below `maximum`, with at most 2 decimals, as a Decimal; empty is
    None ("not recorded"). `negative` is the message for an amount below zero."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        add(errors, name, _l("Enter an amount."))
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        add(errors, name, _l("Enter an amount."))
        return None
    if not amount.is_finite():
        add(errors, name, _l("Enter an amount."))
    elif amount < 0:
        add(errors, name, negative)
    elif amount >= maximum:
        add(errors, name, _l("The amount is too large."))
    elif amount != amount.quantize(Decimal("0.01")):
        add(errors, name, _l("Use at most 2 decimals."))
    else:
        return amount.quantize(Decimal("0.01"))
    return None


# Versions -----------------------------------------------------------------------------------------


def require_version(record: Any, data: dict[str, Any]) -> None:
    """Every update of a versioned record names the `version` it read: missing (or not a
    version) is ValidationFailed, an older one a Conflict — never a silent overwrite."""
    version = data.get("version")
    if not is_id(version):
        raise ValidationFailed(
            fields={"version": [str(_l("Say which version you read: reload and try again."))]}
        )
    if version != record.version:
        raise Conflict()
