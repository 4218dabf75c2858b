"""`contacted`: an interaction on the account in the last `within_days` days had a current
contact of a decision role in it (PLAYBOOKS.md, Gates)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l

from salesflow.contacts.models import DecisionRole
from salesflow.formatting import format_date
from salesflow.labels import label
from salesflow.playbooks.facts import ContactFact, OpportunityFacts
from salesflow.playbooks.gates.base import (
    ActionTarget,
    Gate,
    GateContext,
    GateResult,
    param_choice,
    params_map,
    within,
)
from salesflow.playbooks.reader import _
from salesflow.playbooks.schema import Stage


@dataclass(frozen=True, kw_only=True)
class ContactedGate(Gate):
    """An interaction on the account in the last `within_days` days had a `role` contact in it."""

    type: ClassVar[str] = "contacted"
    hint: ClassVar[str] = "log_contact"
    action_label: ClassVar[Any] = _l("Log a contact")
    role: DecisionRole
    within_days: int

    @classmethod
    def parse(cls, params: Any, line: int, ctx: GateContext) -> ContactedGate | None:
        before = len(ctx.reader.problems)
        keys = ("role", "within_days")
        params = params_map(cls, params, line, ctx, keys, keys)
        if params is None:
            return None
        role = param_choice(ctx, params, "role", DecisionRole, _("decision role"))
        within_days = ctx.reader.whole(params, "within_days", 1)
        if len(ctx.reader.problems) > before:
            return None
        return cls(role=DecisionRole(role), within_days=within_days, line=line)

    def _people(self, facts: OpportunityFacts) -> list[ContactFact]:
        """The current contacts of the role."""
        return [c for c in facts.contacts if c.current and c.decision_role == self.role.value]

    def evaluate(self, facts: OpportunityFacts, now: datetime, stage: Stage) -> GateResult:
        people = {c.id for c in self._people(facts)}
        met_at = [
            i.occurred_at
            for i in facts.interactions
            if not i.deleted and i.occurred_at <= now and i.attendee_ids & people
        ]
        last = max(met_at, default=None)
        return self.result(
            last is not None and within(last, now, self.within_days),
            role=self.role.value,
            days=self.within_days,
            last=last.isoformat() if last else None,
        )

    @classmethod
    def said(cls, met: bool, detail: Mapping[str, Any]) -> str:
        """The last contact as the reader's locale writes a day of the company's calendar."""
        role, days, last = label(detail.get("role")), detail.get("days") or 0, detail.get("last")
        if met:
            return _("%(role)s contacted on %(date)s", role=role, date=format_date(last))
        if last is None:
            return _(
                "No %(role)s contacted in the last %(days)d days — never contacted",
                role=role,
                days=days,
            )
        return _(
            "No %(role)s contacted in the last %(days)d days — last contact %(date)s",
            role=role,
            days=days,
            date=format_date(last),
        )

    def describe(self, stage: Stage) -> str:
        return _(
            "A %(role)s of the account met in the last %(days)d days",
            role=label(self.role),
            days=self.within_days,
        )

    def action_url(self, deal: ActionTarget, facts: OpportunityFacts) -> str | None:
        """The quick log of a meeting with the role's current people; with nobody to meet yet,
        the decision chain to map them first."""
        people = sorted(self._people(facts), key=lambda c: (c.name, c.id))
        if not people:
            return deal.decision_chain()
        return deal.quick_log("meeting", contact_ids=[c.id for c in people])
