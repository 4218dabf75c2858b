"""Per-attendee amounts of a logged contact's cost (issue 17): given, they replace the equal split.

A contact's `spend` is a list of {contact_id, amount}: each contact one of its customer attendees
(once), each amount ≥ 0 with at most 2 decimals, and together exactly its cost. An empty list (or
null) goes back to the equal split. Changing the cost or the attendees of a contact whose amounts
were given, without giving them again, is refused while they no longer fit."""

from decimal import Decimal
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from salesflow.interactions.models import Interaction
from salesflow.key_accounts.spend_models import InteractionSpend
from salesflow.validation import Errors, add, is_id, money

FIELD = "spend"
MAX_AMOUNT = Decimal(10) ** 10
MAX_SHARES = 200


def _shares(value: Any, errors: Errors) -> dict[int, Decimal] | None:
    """{contact_id: amount} from the list given, or None (a problem, added to `errors`)."""
    if value is None or value == "":
        return {}
    if not isinstance(value, list) or len(value) > MAX_SHARES:
        add(errors, FIELD, _l("Give a list of attendees and amounts."))
        return None
    shares: dict[int, Decimal] = {}
    for index, item in enumerate(value):
        name = f"{FIELD}.{index}"
        if not isinstance(item, dict) or not is_id(item.get("contact_id")):
            add(errors, name, _l("Choose a customer attendee."))
            continue
        if item["contact_id"] in shares:
            add(errors, name, _l("Each attendee once."))
            continue
        amount = money(
            item.get("amount"),
            name,
            errors,
            maximum=MAX_AMOUNT,
            negative=_l("An amount cannot be negative."),
        )
        if amount is None and name not in errors:
            add(errors, name, _l("Enter an amount."))
        if amount is not None:
            shares[item["contact_id"]] = amount
    return None if any(k == FIELD or k.startswith(FIELD + ".") for k in errors) else shares


def _fits(shares: dict[int, Decimal], attendees: set[int], cost: Decimal | None) -> Any:
    """The problem with these amounts for this cost and these attendees, or None."""
    if not shares:
        return None
    if not set(shares) <= attendees:
        return _l("Give amounts for the contact's customer attendees only.")
    if cost is None or sum(shares.values()) != cost:
        return _l("The amounts per attendee must add up to the cost.")
    return None


def check(
    data: dict[str, Any], clean: dict[str, Any], interaction: Interaction | None, errors: Errors
) -> None:
    """Clean `data["spend"]` into `clean["spend"]` ({contact_id: amount}), checked against the
    cost and attendees the contact will have; given none, the amounts already stored are checked
    against a changed cost or attendees."""
    stored = {s.contact_id: s.amount for s in interaction.spend_shares} if interaction else {}
    if FIELD in data:
        shares = _shares(data[FIELD], errors)
        if shares is None:
            return
    elif stored and {"cost", "attendees"} & clean.keys():
        shares = stored
    else:
        return
    if errors.get("cost") or errors.get("contact_ids"):
        return  # their own problems first
    cost = clean.get("cost", interaction.cost if interaction else None)
    people = clean.get("attendees")
    if people is None:
        people = interaction.attendees if interaction else []
    problem = _fits(shares, {c.id for c in people}, cost)
    if problem is not None:
        add(errors, FIELD, problem)
    elif FIELD in data:
        clean[FIELD] = shares


def apply(interaction: Interaction, clean: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Store the amounts given (replacing those stored); the audit's change, if any, as
    {contact_id: amount} texts."""
    if FIELD not in clean:
        return {}
    old = {str(s.contact_id): str(s.amount) for s in interaction.spend_shares}
    new = {str(c): str(a) for c, a in sorted(clean[FIELD].items())}
    if old == new:
        return {}
    currency = current_app.config["CURRENCY"]
    interaction.spend_shares = [
        InteractionSpend(contact_id=c, amount=a, currency=currency)
        for c, a in sorted(clean[FIELD].items())
    ]
    return {FIELD: (old or None, new or None)}


def shares_out(interaction: Interaction) -> list[dict[str, Any]]:
    """The amounts given per attendee, by contact id (the API)."""
    return [{"contact_id": s.contact_id, "amount": str(s.amount)} for s in interaction.spend_shares]
