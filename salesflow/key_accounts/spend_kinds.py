"""The kinds of relationship spend (issue 17): what a logged contact's cost bought.

A contact's spend kind is chosen when it is logged (`Interaction.spend_kind`); left empty, it is
read from the kind of contact (a meal, an event, a visit; the rest "other" — a gift or travel is
never inferred). The interactions' service checks the choice with `clean_spend_kind`."""

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from salesflow.validation import Errors, add

SPEND_KINDS = {
    "meal": _l("Meals"),
    "gift": _l("Gifts"),
    "visit": _l("Visits"),
    "event": _l("Events"),
    "travel": _l("Travel"),
    "other": _l("Other spend"),
}


def clean_spend_kind(value: Any, errors: Errors) -> str | None:
    """One of SPEND_KINDS, or None (empty: read from the kind of contact)."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value in SPEND_KINDS:
        return value
    add(errors, "spend_kind", _l("Not one of the allowed values."))
    return None


def form_choices() -> list[SelectChoice]:
    """The quick log's choices: empty first (from the kind of contact), then every kind."""
    blank = SelectChoice("", _l("From the kind of contact"))
    return [blank, *(SelectChoice(k, label) for k, label in SPEND_KINDS.items())]
