"""`interactions`: at least `min` interactions of a kind logged on the deal itself, in the last
`within_days` days when given (PLAYBOOKS.md, Gates)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l

from salesflow.contacts.models import DecisionRole
from salesflow.interactions.models import Kind
from salesflow.labels import label
from salesflow.playbooks.facts import OpportunityFacts
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

# Whom an interaction of a kind is with, as the gate's action pre-ticks them on the quick log:
# the customer's current people of a decision role, and our seats of the iron triangle beside
# the reader. A technical exchange is the SR's, with the customer's technical evaluators
# (PLAYBOOKS.md; enterprise.yaml, "shape").
ATTENDEES: dict[Kind, tuple[DecisionRole, tuple[str, ...]]] = {
    Kind.tech_exchange: (DecisionRole.technical_evaluator, ("SR",)),
}


@dataclass(frozen=True, kw_only=True)
class InteractionsGate(Gate):
    """The opportunity has at least `min` interactions of `kind` (in the last `within_days`)."""

    type: ClassVar[str] = "interactions"
    hint: ClassVar[str] = "log_interaction"
    action_label: ClassVar[Any] = _l("Log it")
    kind: Kind
    min: int
    within_days: int | None = None

    @classmethod
    def parse(cls, params: Any, line: int, ctx: GateContext) -> InteractionsGate | None:
        before = len(ctx.reader.problems)
        params = params_map(cls, params, line, ctx, ("kind", "min", "within_days"), ("kind", "min"))
        if params is None:
            return None
        kind = param_choice(ctx, params, "kind", Kind, _("interaction kind"))
        minimum = ctx.reader.whole(params, "min", 1)
        within_days = ctx.reader.whole(params, "within_days", 1)
        if len(ctx.reader.problems) > before:
            return None
        return cls(kind=Kind(kind), min=minimum, within_days=within_days, line=line)

    def evaluate(self, facts: OpportunityFacts, now: datetime, stage: Stage) -> GateResult:
        count = sum(
            1
            for i in facts.interactions
            if i.on_opportunity
            and not i.deleted
            and i.kind == self.kind.value
            and within(i.occurred_at, now, self.within_days)
        )
        return self.result(count >= self.min, kind=self.kind.value, min=self.min, found=count)

    @classmethod
    def said(cls, met: bool, detail: Mapping[str, Any]) -> str:
        kind, count = label(detail.get("kind")), detail.get("found") or 0
        if met:
            return _("%(kind)s logged: %(count)d", kind=kind, count=count)
        return _(
            "Need %(min)d %(kind)s logged on this opportunity; found %(count)d",
            min=detail.get("min") or 0,
            kind=kind,
            count=count,
        )

    def describe(self, stage: Stage) -> str:
        logged = _(
            "At least %(min)d %(kind)s logged on the deal", min=self.min, kind=label(self.kind)
        )
        if self.within_days is None:
            return logged
        return logged + ", " + _("in the last %(days)d days", days=self.within_days)

    def action_url(self, deal: ActionTarget, facts: OpportunityFacts) -> str | None:
        """The quick log of this kind on the deal, with the people it is with (ATTENDEES)."""
        if self.kind not in ATTENDEES:
            return deal.quick_log(self.kind.value)
        role, seats = ATTENDEES[self.kind]
        theirs = sorted(
            (c for c in facts.contacts if c.current and c.decision_role == role.value),
            key=lambda c: (c.name, c.id),
        )
        seated = [r.user_id for r in facts.roles if r.role in seats and r.active]
        values: dict[str, Any] = {}
        if theirs:
            values["contact_ids"] = [c.id for c in theirs]
        if seated:  # our people: the reader (who logs it) and the seats it needs
            ours = [deal.reader_id, *seated] if deal.reader_id is not None else seated
            values["participant_ids"] = list(dict.fromkeys(ours))
        return deal.quick_log(self.kind.value, **values)
