"""`roles`: every listed iron-triangle role has an active user on the deal (PLAYBOOKS.md, Gates)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from flask import url_for
from flask_babel import lazy_gettext as _l

from salesflow.accounts.models import TeamRole
from salesflow.labels import label
from salesflow.playbooks.facts import OpportunityFacts
from salesflow.playbooks.gates.base import ActionTarget, Gate, GateContext, GateResult, listed_names
from salesflow.playbooks.reader import _
from salesflow.playbooks.schema import Stage

IRON_TRIANGLE = (TeamRole.AR, TeamRole.SR, TeamRole.FR)


@dataclass(frozen=True, kw_only=True)
class RolesGate(Gate):
    """Every listed iron-triangle role has an active user on the opportunity."""

    type: ClassVar[str] = "roles"
    hint: ClassVar[str] = "assign_roles"
    action_label: ClassVar[Any] = _l("Staff the iron triangle")
    roles: tuple[TeamRole, ...]

    @classmethod
    def parse(cls, params: Any, line: int, ctx: GateContext) -> RolesGate | None:
        names = listed_names(cls, params, line, ctx, IRON_TRIANGLE, _("role"))
        return None if names is None else cls(roles=tuple(map(TeamRole, names)), line=line)

    def evaluate(self, facts: OpportunityFacts, now: datetime, stage: Stage) -> GateResult:
        staffed = {r.role for r in facts.roles if r.active}
        missing = [role.value for role in self.roles if role.value not in staffed]
        if missing:
            return self.result(False, missing=missing)
        return self.result(True, roles=[r.value for r in self.roles])

    @classmethod
    def said(cls, met: bool, detail: Mapping[str, Any]) -> str:
        if not met:
            missing = ", ".join(detail.get("missing", ()))
            return _("No active %(roles)s on this opportunity", roles=missing)
        return _("Iron triangle staffed: %(roles)s", roles=", ".join(detail.get("roles", ())))

    def describe(self, stage: Stage) -> str:
        roles = ", ".join(label(role) for role in self.roles)
        return _("Someone active in each of these roles on the deal: %(roles)s", roles=roles)

    def action_url(self, deal: ActionTarget, facts: OpportunityFacts) -> str | None:
        """Offered only to those who may reseat the triangle (scope.can_set_roles)."""
        if not deal.can_set_roles:
            return None
        return url_for("opportunities.roles", opportunity_id=deal.opportunity_id)
