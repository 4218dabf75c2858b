"""`checklist`: each listed checklist item of the stage is ticked (PLAYBOOKS.md, Gates)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l

from salesflow.playbooks.facts import OpportunityFacts
from salesflow.playbooks.gates.base import ActionTarget, Gate, GateContext, GateResult, local
from salesflow.playbooks.reader import _, show
from salesflow.playbooks.schema import Stage


@dataclass(frozen=True, kw_only=True)
class ChecklistGate(Gate):
    """Each listed checklist item of this stage is ticked."""

    type: ClassVar[str] = "checklist"
    hint: ClassVar[str] = "tick_checklist"
    action_label: ClassVar[Any] = _l("Go to the checklist")
    items: tuple[str, ...]

    @classmethod
    def parse(cls, params: Any, line: int, ctx: GateContext) -> ChecklistGate | None:
        listed = ctx.reader.sequence(
            params, line, _("checklist gate needs a list of item keys, like [need_confirmed]")
        )
        if listed is None:
            return None
        items: list[str] = []
        for value, value_line in listed.with_lines():
            if not isinstance(value, str) or value not in ctx.checklist_keys:
                ctx.reader.problem(
                    value_line,
                    _(
                        "checklist gate names %(item)s, which is not an item of stage %(stage)s"
                        " (its items: %(items)s)",
                        item=show(value),
                        stage=show(ctx.stage_key),
                        items=", ".join(ctx.checklist_keys) or _("none"),
                    ),
                )
            elif value in items:
                ctx.reader.problem(value_line, _("%(value)s is listed twice", value=show(value)))
            else:
                items.append(value)
        return cls(items=tuple(items), line=line) if len(items) == len(listed) else None

    def evaluate(self, facts: OpportunityFacts, now: datetime, stage: Stage) -> GateResult:
        open_items = [key for key in self.items if key not in facts.ticked]
        if not open_items:
            return self.result(True)
        # the items' texts in both languages, so the history says them in its reader's
        texts = [dict(stage.item(key).text) for key in open_items]
        return self.result(False, open=open_items, texts=texts)

    @classmethod
    def said(cls, met: bool, detail: Mapping[str, Any]) -> str:
        if met:
            return _("Checklist complete")
        texts = [local(t) for t in detail.get("texts", ())] or list(detail.get("open", ()))
        return _("Not yet ticked: %(items)s", items="; ".join(texts))

    def describe(self, stage: Stage) -> str:
        texts = [local(stage.item(key).text) for key in self.items]
        return _("Ticked on the checklist: %(items)s", items="; ".join(texts))

    def action_url(self, deal: ActionTarget, facts: OpportunityFacts) -> str | None:
        return deal.page("#checklist")
