"""Translated display labels for the vocabulary of PRODUCT.md; code and API keep the raw values."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

LABELS = {
    # user roles
    "rep": _l("Rep"),
    "director": _l("Director"),
    "leadership": _l("Leadership"),
    "admin": _l("Admin"),
    # account team roles
    "AR": _l("AR · account responsible"),
    "SR": _l("SR · solution responsible"),
    "FR": _l("FR · fulfilment responsible"),
    "sponsor": _l("Executive sponsor"),
    "member": _l("Member"),
    # decision roles
    "decision_maker": _l("Decision maker"),
    "technical_evaluator": _l("Technical evaluator"),
    "user": _l("User"),
    "influencer": _l("Influencer"),
    "coach": _l("Coach"),
    "gatekeeper": _l("Gatekeeper"),
    "procurement": _l("Procurement"),
    "unknown": _l("Unknown"),
    # influence
    "high": _l("High"),
    "medium": _l("Medium"),
    "low": _l("Low"),
    # attitude
    "champion": _l("Champion"),
    "supporter": _l("Supporter"),
    "neutral": _l("Neutral"),
    "skeptic": _l("Skeptic"),
    "opponent": _l("Opponent"),
    # contact level
    "executive": _l("Executive"),
    "management": _l("Management"),
    "operational": _l("Operational"),
    # interaction kinds
    "visit": _l("Visit"),
    "call": _l("Call"),
    "meeting": _l("Meeting"),
    "meal": _l("Meal / reception"),
    "tech_exchange": _l("Technical exchange"),
    "exec_visit": _l("Executive visit"),
    "site_visit": _l("Site visit"),
    "email": _l("E-mail"),
    "event": _l("Event"),
    "other": _l("Other"),
    # tiers
    "A": _l("A · key account"),
    "B": _l("B"),
    "C": _l("C"),
    # opportunity status and moves
    "open": _l("Open"),
    "won": _l("Won"),
    "lost": _l("Lost"),
    "created": _l("Created"),
    "advanced": _l("Advanced"),
    "moved_back": _l("Moved back"),
    "reopened": _l("Reopened"),
    "migrated": _l("Moved to a newer playbook version"),
    "imported": _l("Imported"),
    # decisions
    "requested": _l("Requested"),
    "approve": _l("Approved"),
    "reject": _l("Rejected"),
    # audit actions
    "create": _l("created"),
    "update": _l("changed"),
    "delete": _l("deleted"),
    "restore": _l("restored"),
    "confirm": _l("confirmed"),
    "transfer": _l("transferred the roles"),
    "merge": _l("merged"),
    "unmerge": _l("unmerged (the merge was undone)"),
    # handover checklist items
    "roles_transferred": _l("Roles transferred"),
    "joint_contact": _l("Joint contact"),
    "confirmed": _l("Confirmed by the successor"),
}


def label(value: object) -> str:
    """The translated label of a vocabulary value (enum or string); unknown values pass through."""
    if value is None:
        return ""
    key = getattr(value, "value", value)
    return str(LABELS.get(str(key), key))


def choices(enum_cls: type, *, blank: object = None) -> list[SelectChoice]:
    """Options for a select field, in the vocabulary's order, labels translated at render time."""
    options = [SelectChoice(m.value, LABELS.get(m.value, m.value)) for m in enum_cls]
    return ([SelectChoice("", blank)] if blank is not None else []) + options
