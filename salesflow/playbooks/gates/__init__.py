"""Exit gates: the registry of gate types (STYLE.md rule 9) and the reading of a stage's `exit`.

Each gate type is one class in a module of this package: a frozen dataclass (`base.Gate`) with
its typed params, its name in the file (`type`), how it reads them (`parse`, every problem
reported with its line), whether a deal meets it (`evaluate`, pure, over the facts of
`playbooks.facts`), and the action that meets it when unmet (`hint` for the API, `action_label`
and `action_url` for the deal page) and what it asks in words (`describe`, for the playbook
page). Adding a gate type is that class and one line in GATE_TYPES.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from salesflow.playbooks.gates.approval import APPROVERS, ApprovalGate
from salesflow.playbooks.gates.base import ActionTarget, Gate, GateContext, GateResult
from salesflow.playbooks.gates.checklist import ChecklistGate
from salesflow.playbooks.gates.contacted import ContactedGate
from salesflow.playbooks.gates.contacts import ATTITUDE_ORDER, ContactsGate
from salesflow.playbooks.gates.fields import FieldsGate, OpportunityField
from salesflow.playbooks.gates.interactions import InteractionsGate
from salesflow.playbooks.gates.requests import RequestDoneGate
from salesflow.playbooks.gates.roles import IRON_TRIANGLE, RolesGate
from salesflow.playbooks.reader import _, show

__all__ = [
    "APPROVERS",
    "ATTITUDE_ORDER",
    "GATE_TYPES",
    "IRON_TRIANGLE",
    "ActionTarget",
    "ApprovalGate",
    "ChecklistGate",
    "ContactedGate",
    "ContactsGate",
    "FieldsGate",
    "Gate",
    "GateContext",
    "GateResult",
    "InteractionsGate",
    "OpportunityField",
    "RequestDoneGate",
    "RolesGate",
    "parse_gate",
    "said",
]

# The name a playbook file uses → the class; the order is the one "known:" lists.
GATE_TYPES: dict[str, type[Gate]] = {
    "roles": RolesGate,
    "fields": FieldsGate,
    "contacts": ContactsGate,
    "contacted": ContactedGate,
    "interactions": InteractionsGate,
    "checklist": ChecklistGate,
    "approval": ApprovalGate,
    "request_done": RequestDoneGate,
}


def parse_gate(gate: Any, line: int, ctx: GateContext) -> Gate | None:
    """One entry of a stage's `exit` list: a map with exactly one key, the gate type."""
    if not isinstance(gate, dict):
        ctx.reader.problem(
            line, _("a gate must be a map with one key, its type, like {roles: [AR]}")
        )
        return None
    if len(gate) != 1:
        found = ", ".join(map(str, gate)) if gate else _("none")
        ctx.reader.problem(
            line,
            _("a gate must have exactly one key, its type (found %(found)s)", found=found),
        )
        return None
    ((name, params),) = gate.items()
    gate_type = GATE_TYPES.get(name)
    if gate_type is None:
        ctx.reader.problem(
            gate.key_line(name),
            _(
                "unknown gate type %(name)s (known: %(known)s)",
                name=show(name),
                known=", ".join(GATE_TYPES),
            ),
        )
        return None
    return gate_type.parse(params, gate.key_line(name), ctx)


def said(stored: Mapping[str, Any]) -> str:
    """A gate result as a stage change stored it ({gate, met, message, detail}), said in the
    reader's language by its type (`Gate.said`); a result stored before the detail was kept, or of
    a type no longer known, shows the message it was stored with."""
    gate_type = GATE_TYPES.get(stored.get("gate", ""))
    detail = stored.get("detail")
    if gate_type is not None and isinstance(detail, Mapping):
        message = gate_type.said(bool(stored.get("met")), detail)
        if message:
            return message
    return str(stored.get("message", ""))
