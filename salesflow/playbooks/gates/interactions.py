"""`interactions`: at least `min` interactions of a kind logged on the deal itself, in the last
`within_days` days when given (PLAYBOOKS.md, Gates)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l

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
        kind = label(self.kind)
        if count >= self.min:
            return self.met(_("%(kind)s logged: %(count)d", kind=kind, count=count))
        return self.unmet(
            _(
                "Need %(min)d %(kind)s logged on this opportunity; found %(count)d",
                min=self.min,
                kind=kind,
                count=count,
            ),
            found=count,
        )

    def action_url(self, deal: ActionTarget, facts: OpportunityFacts) -> str | None:
        return deal.quick_log(self.kind.value)
