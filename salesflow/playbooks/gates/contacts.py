"""`contacts`: the account has at least `min` current contacts of a decision role, with the
attitude and level asked for (PLAYBOOKS.md, Gates)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l

from salesflow.contacts.models import Attitude, DecisionRole, Level
from salesflow.labels import label
from salesflow.playbooks.facts import ContactFact, OpportunityFacts
from salesflow.playbooks.gates.base import (
    ActionTarget,
    Gate,
    GateContext,
    GateResult,
    param_choice,
    params_map,
)
from salesflow.playbooks.reader import _
from salesflow.playbooks.schema import Stage

# Best to worst; `unknown` never qualifies as support (PLAYBOOKS.md, gate `contacts`).
ATTITUDE_ORDER = (
    Attitude.champion,
    Attitude.supporter,
    Attitude.neutral,
    Attitude.skeptic,
    Attitude.opponent,
)


def _attitude_ok(attitude: str, threshold: Attitude | None) -> bool:
    order = [a.value for a in ATTITUDE_ORDER]
    if threshold is None:
        return True
    return attitude in order and order.index(attitude) <= order.index(threshold.value)


@dataclass(frozen=True, kw_only=True)
class ContactsGate(Gate):
    """The account has at least `min` contacts with `role` (and the attitude and level given)."""

    type: ClassVar[str] = "contacts"
    hint: ClassVar[str] = "map_contacts"
    action_label: ClassVar[Any] = _l("Open the decision chain")
    role: DecisionRole
    min: int
    attitude_at_least: Attitude | None = None
    level: Level | None = None

    @classmethod
    def parse(cls, params: Any, line: int, ctx: GateContext) -> ContactsGate | None:
        keys = ("role", "min", "attitude_at_least", "level")
        before = len(ctx.reader.problems)
        params = params_map(cls, params, line, ctx, keys, ("role", "min"))
        if params is None:
            return None
        role = param_choice(ctx, params, "role", DecisionRole, _("decision role"))
        minimum = ctx.reader.whole(params, "min", 1)
        attitude = param_choice(ctx, params, "attitude_at_least", ATTITUDE_ORDER, _("attitude"))
        level = param_choice(ctx, params, "level", Level, _("level"))
        if len(ctx.reader.problems) > before:
            return None
        return cls(
            role=DecisionRole(role),
            min=minimum,
            attitude_at_least=Attitude(attitude) if attitude else None,
            level=Level(level) if level else None,
            line=line,
        )

    def _counts(self, contact: ContactFact) -> bool:
        return (
            contact.current
            and contact.decision_role == self.role.value
            and _attitude_ok(contact.attitude, self.attitude_at_least)
            and (self.level is None or contact.level == self.level.value)
        )

    def evaluate(self, facts: OpportunityFacts, now: datetime, stage: Stage) -> GateResult:
        found = [c for c in facts.contacts if self._counts(c)]
        attitude = self.attitude_at_least.value if self.attitude_at_least else None
        return self.result(
            len(found) >= self.min,
            role=self.role.value,
            min=self.min,
            attitude=attitude,
            found=len(found),
            names=[c.name for c in found],
        )

    @classmethod
    def said(cls, met: bool, detail: Mapping[str, Any]) -> str:
        role = label(detail.get("role"))
        if met:
            names = ", ".join(detail.get("names", ()))
            return _("%(role)s mapped: %(names)s", role=role, names=names)
        wanted = role
        if detail.get("attitude"):
            attitude = label(detail["attitude"])
            wanted = _("%(role)s who is at least %(attitude)s", role=role, attitude=attitude)
        return _(
            "Need %(min)d %(wanted)s in the decision chain; found %(found)d",
            min=detail.get("min") or 0,
            wanted=wanted,
            found=detail.get("found") or 0,
        )

    def describe(self, stage: Stage) -> str:
        wanted = _(
            "At least %(min)d %(role)s in the decision chain", min=self.min, role=label(self.role)
        )
        if self.attitude_at_least is not None:
            wanted += ", " + _("at least %(attitude)s", attitude=label(self.attitude_at_least))
        if self.level is not None:
            wanted += ", " + _("at the %(level)s level", level=label(self.level))
        return wanted

    def action_url(self, deal: ActionTarget, facts: OpportunityFacts) -> str | None:
        return deal.decision_chain()
