"""Small checks the services share: every problem collected per field (STYLE.md rule 8)."""

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l

Errors = dict[str, list[str]]


def add(errors: Errors, name: str, message: Any) -> None:
    errors.setdefault(name, []).append(str(message))


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
