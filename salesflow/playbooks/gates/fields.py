"""`fields`: every listed opportunity field is filled, `amount` above zero (PLAYBOOKS.md, Gates)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from flask import url_for
from flask_babel import lazy_gettext as _l

from salesflow.playbooks.facts import OpportunityFacts
from salesflow.playbooks.gates.base import ActionTarget, Gate, GateContext, GateResult, listed_names
from salesflow.playbooks.reader import _
from salesflow.playbooks.schema import Stage


class OpportunityField(StrEnum):
    """Opportunity fields a `fields` gate may require to be filled (`amount` must be > 0)."""

    amount = "amount"
    expected_close = "expected_close"
    customer_need = "customer_need"
    competitors = "competitors"


# Each field as the deal's form names it.
FIELD_LABELS = {
    OpportunityField.amount: _l("Amount"),
    OpportunityField.expected_close: _l("Expected close"),
    OpportunityField.customer_need: _l("Customer need"),
    OpportunityField.competitors: _l("Competitors"),
}


def _filled(facts: OpportunityFacts, name: str) -> bool:
    value = getattr(facts, name)
    if name == "amount":
        return value is not None and value > 0
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


@dataclass(frozen=True, kw_only=True)
class FieldsGate(Gate):
    """Every listed opportunity field is filled (`amount` > 0)."""

    type: ClassVar[str] = "fields"
    hint: ClassVar[str] = "edit_fields"
    action_label: ClassVar[Any] = _l("Fill in the fields")
    fields: tuple[OpportunityField, ...]

    @classmethod
    def parse(cls, params: Any, line: int, ctx: GateContext) -> FieldsGate | None:
        names = listed_names(cls, params, line, ctx, tuple(OpportunityField), _("field"))
        return None if names is None else cls(fields=tuple(map(OpportunityField, names)), line=line)

    def evaluate(self, facts: OpportunityFacts, now: datetime, stage: Stage) -> GateResult:
        missing = [f.value for f in self.fields if not _filled(facts, f.value)]
        return self.result(not missing, missing=missing)

    @classmethod
    def said(cls, met: bool, detail: Mapping[str, Any]) -> str:
        """The missing fields by the deal form's labels ("Fill in: Expected close")."""
        if met:
            return _("Required fields filled")
        names = [
            str(FIELD_LABELS[OpportunityField(key)]) if key in OpportunityField.__members__ else key
            for key in detail.get("missing", ())
        ]
        return _("Fill in: %(fields)s", fields=", ".join(names))

    def describe(self, stage: Stage) -> str:
        names = [
            _("Amount (above 0)") if f is OpportunityField.amount else str(FIELD_LABELS[f])
            for f in self.fields
        ]
        return _("Filled in: %(fields)s", fields=", ".join(names))

    def action_url(self, deal: ActionTarget, facts: OpportunityFacts) -> str | None:
        return url_for("opportunities.edit", opportunity_id=deal.opportunity_id)
