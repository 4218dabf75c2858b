"""Gate evaluation: pure functions from a gate, an opportunity's facts and `now` to met / not met
with a message a rep understands and a hint for what to do (PLAYBOOKS.md, "Gates").

Boundaries, decided once: "within the last N days" includes an interaction exactly N days old;
a contact counts for `contacts` and `contacted` only while current (not deleted, not left) —
having once met a decision maker who has since left the customer does not map today's chain.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from salesflow.labels import label
from salesflow.playbooks import gates as g
from salesflow.playbooks.facts import OpportunityFacts
from salesflow.playbooks.reader import _
from salesflow.playbooks.schema import Stage, text


def _local(texts: Any) -> str:
    """A playbook text in the reader's language (English outside a request)."""
    from flask import has_request_context
    from flask_babel import get_locale

    return text(texts, get_locale() if has_request_context() else "en")


@dataclass(frozen=True)
class GateResult:
    gate: str
    met: bool
    message: str
    hint: str | None = None  # log_contact, map_contacts, assign_roles, edit_fields, ...
    detail: dict[str, Any] = field(default_factory=dict)


def _roles(gate: g.RolesGate, facts: OpportunityFacts, now: datetime, stage: Stage) -> GateResult:
    staffed = {r.role for r in facts.roles if r.active}
    missing = [role.value for role in gate.roles if role.value not in staffed]
    if not missing:
        return GateResult(
            "roles",
            True,
            _("Iron triangle staffed: %(roles)s", roles=", ".join(r.value for r in gate.roles)),
        )
    return GateResult(
        "roles",
        False,
        _("No active %(roles)s on this opportunity", roles=", ".join(missing)),
        "assign_roles",
        {"missing": missing},
    )


def _filled(facts: OpportunityFacts, name: str) -> bool:
    value = getattr(facts, name)
    if name == "amount":
        return value is not None and value > 0
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def _fields(gate: g.FieldsGate, facts: OpportunityFacts, now: datetime, stage: Stage) -> GateResult:
    missing = [f.value for f in gate.fields if not _filled(facts, f.value)]
    if not missing:
        return GateResult("fields", True, _("Required fields filled"))
    return GateResult(
        "fields",
        False,
        _("Fill in: %(fields)s", fields=", ".join(missing)),
        "edit_fields",
        {"missing": missing},
    )


def _attitude_ok(attitude: str, threshold: Any) -> bool:
    order = [a.value for a in g.ATTITUDE_ORDER]
    if threshold is None:
        return True
    return attitude in order and order.index(attitude) <= order.index(threshold.value)


def _contacts(
    gate: g.ContactsGate, facts: OpportunityFacts, now: datetime, stage: Stage
) -> GateResult:
    found = [
        c
        for c in facts.contacts
        if c.current
        and c.decision_role == gate.role.value
        and _attitude_ok(c.attitude, gate.attitude_at_least)
        and (gate.level is None or c.level == gate.level.value)
    ]
    role = label(gate.role)
    if len(found) >= gate.min:
        return GateResult(
            "contacts",
            True,
            _("%(role)s mapped: %(names)s", role=role, names=", ".join(c.name for c in found)),
        )
    wanted = (
        role
        if gate.attitude_at_least is None
        else _(
            "%(role)s who is at least %(attitude)s",
            role=role,
            attitude=label(gate.attitude_at_least),
        )
    )
    return GateResult(
        "contacts",
        False,
        _(
            "Need %(min)d %(wanted)s in the decision chain; found %(found)d",
            min=gate.min,
            wanted=wanted,
            found=len(found),
        ),
        "map_contacts",
        {"found": len(found)},
    )


def _in_window(occurred_at: datetime, now: datetime, days: int | None) -> bool:
    return occurred_at <= now and (days is None or occurred_at >= now - timedelta(days=days))


def _contacted(
    gate: g.ContactedGate, facts: OpportunityFacts, now: datetime, stage: Stage
) -> GateResult:
    people = {c.id for c in facts.contacts if c.current and c.decision_role == gate.role.value}
    met_at = [
        i.occurred_at
        for i in facts.interactions
        if not i.deleted and i.occurred_at <= now and i.attendee_ids & people
    ]
    last = max(met_at, default=None)
    role = label(gate.role)
    if last is not None and _in_window(last, now, gate.within_days):
        return GateResult(
            "contacted",
            True,
            _("%(role)s contacted on %(date)s", role=role, date=last.date().isoformat()),
        )
    if last is None:
        message = _(
            "No %(role)s contacted in the last %(days)d days — never contacted",
            role=role,
            days=gate.within_days,
        )
    else:
        message = _(
            "No %(role)s contacted in the last %(days)d days — last contact %(date)s",
            role=role,
            days=gate.within_days,
            date=last.date().isoformat(),
        )
    return GateResult(
        "contacted", False, message, "log_contact", {"last": last.isoformat() if last else None}
    )


def _interactions(
    gate: g.InteractionsGate, facts: OpportunityFacts, now: datetime, stage: Stage
) -> GateResult:
    count = sum(
        1
        for i in facts.interactions
        if i.on_opportunity
        and not i.deleted
        and i.kind == gate.kind.value
        and _in_window(i.occurred_at, now, gate.within_days)
    )
    kind = label(gate.kind)
    if count >= gate.min:
        return GateResult(
            "interactions", True, _("%(kind)s logged: %(count)d", kind=kind, count=count)
        )
    return GateResult(
        "interactions",
        False,
        _(
            "Need %(min)d %(kind)s logged on this opportunity; found %(count)d",
            min=gate.min,
            kind=kind,
            count=count,
        ),
        "log_interaction",
        {"found": count},
    )


def _checklist(
    gate: g.ChecklistGate, facts: OpportunityFacts, now: datetime, stage: Stage
) -> GateResult:
    open_items = [key for key in gate.items if key not in facts.ticked]
    if not open_items:
        return GateResult("checklist", True, _("Checklist complete"))
    texts = [_local(stage.item(key).text) for key in open_items]
    return GateResult(
        "checklist",
        False,
        _("Not yet ticked: %(items)s", items="; ".join(texts)),
        "tick_checklist",
        {"open": open_items},
    )


def _approval(
    gate: g.ApprovalGate, facts: OpportunityFacts, now: datetime, stage: Stage
) -> GateResult:
    # Only decisions by the named role (or an admin) count; the latest one stands.
    counted = [
        a
        for a in facts.approvals
        if a.key == gate.key and a.by_role in {gate.by.value, "admin"} and a.at <= now
    ]
    # of two decisions at the same instant, the one recorded later (they come in order) stands
    latest = max(reversed(counted), key=lambda a: a.at, default=None)
    name = _local(gate.name)
    if latest is not None and latest.decision == "approve":
        return GateResult("approval", True, _("%(name)s approved", name=name))
    if latest is not None:
        return GateResult(
            "approval", False, _("%(name)s was rejected; ask again", name=name), "request_approval"
        )
    return GateResult(
        "approval",
        False,
        _("%(name)s: waiting for a director's approval", name=name),
        "request_approval",
    )


EVALUATORS: dict[type[g.Gate], Callable[..., GateResult]] = {
    g.RolesGate: _roles,
    g.FieldsGate: _fields,
    g.ContactsGate: _contacts,
    g.ContactedGate: _contacted,
    g.InteractionsGate: _interactions,
    g.ChecklistGate: _checklist,
    g.ApprovalGate: _approval,
}


def evaluate(gate: g.Gate, facts: OpportunityFacts, now: datetime, stage: Stage) -> GateResult:
    """One gate's result; a gate type without an evaluator fails loudly (STYLE.md rule 9)."""
    return EVALUATORS[type(gate)](gate, facts, now, stage)


def evaluate_stage(stage: Stage, facts: OpportunityFacts, now: datetime) -> list[GateResult]:
    """Every exit gate of `stage`, in file order."""
    return [evaluate(gate, facts, now, stage) for gate in stage.exit]


def unmet(results: list[GateResult]) -> list[GateResult]:
    return [result for result in results if not result.met]
