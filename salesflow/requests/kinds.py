"""The kinds of request and the lead time each needs, in working days (config REQUEST_KINDS):
whoever asks leaves the other person time to prepare (给提前量)."""

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from salesflow.requests.models import DECISION

# Every kind's name, in the reader's language; a kind added in config takes its names from there
# (REQUEST_KIND_NAMES), else shows its key with underscores as spaces.
NAMES = {
    "solution_workshop": _l("Solution workshop"),
    "demo": _l("Demo"),
    "poc": _l("Proof of concept"),
    "quote": _l("Quote"),
    "delivery_plan": _l("Delivery plan"),
    "reference_call": _l("Reference call"),
    "legal": _l("Legal review"),
    "other": _l("Other"),
    DECISION: _l("Decision"),
}
DEFAULT_KINDS = {
    "solution_workshop": 5,
    "demo": 3,
    "poc": 10,
    "quote": 2,
    "delivery_plan": 5,
    "reference_call": 3,
    "legal": 5,
    "other": 0,
    DECISION: 2,
}


def kinds() -> dict[str, int]:
    """Every kind with its minimum lead time in working days, in the configured order."""
    return dict(current_app.config.get("REQUEST_KINDS") or DEFAULT_KINDS)


def service_kinds() -> list[str]:
    """The kinds a person asks for by hand (a decision is asked through the deal's gates)."""
    return [kind for kind in kinds() if kind != DECISION]


# The name the contract gives the list (a function: it follows the configuration).
SERVICE_KINDS = service_kinds


def is_kind(kind: object) -> bool:
    return isinstance(kind, str) and kind in kinds()


def min_lead_days(kind: str) -> int:
    """The kind's minimum lead time in working days; KeyError for an unknown kind."""
    return int(kinds()[kind])


def label(kind: str) -> str:
    """The kind's name in the reader's language: ours, or the one configured with the kind."""
    name = NAMES.get(kind)
    if name is not None:
        return str(name)
    given = (current_app.config.get("REQUEST_KIND_NAMES") or {}).get(kind, {})
    locale = str(get_locale() or "en").split("_")[0]
    return given.get(locale) or given.get("en") or kind.replace("_", " ").capitalize()
