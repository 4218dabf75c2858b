"""`approval`: a decision point of the stage was approved by a director (or an admin), and not
rejected since (PLAYBOOKS.md, Gates)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l

from salesflow.auth.models import Role
from salesflow.playbooks.facts import OpportunityFacts
from salesflow.playbooks.gates.base import (
    ActionTarget,
    Gate,
    GateContext,
    GateResult,
    local,
    params_map,
)
from salesflow.playbooks.reader import _, show
from salesflow.playbooks.schema import Stage, Text

APPROVERS = (Role.director,)  # an admin may also approve; the file names the director


@dataclass(frozen=True, kw_only=True)
class ApprovalGate(Gate):
    """An approval `key` was given for the opportunity by a director (or admin), not revoked."""

    type: ClassVar[str] = "approval"
    hint: ClassVar[str] = "request_approval"
    action_label: ClassVar[Any] = _l("Go to the decision points")
    key: str
    name: Text
    by: Role

    @classmethod
    def parse(cls, params: Any, line: int, ctx: GateContext) -> ApprovalGate | None:
        before = len(ctx.reader.problems)
        keys = ("key", "name", "by")
        params = params_map(cls, params, line, ctx, keys, keys)
        if params is None:
            return None
        key = ctx.reader.key(params)
        name = ctx.reader.text(params, "name")
        by = params.get("by")
        if "by" in params and by not in APPROVERS:
            ctx.reader.problem(
                params.value_line("by"),
                _("approval must be given by 'director', not %(by)s", by=show(by)),
            )
        if len(ctx.reader.problems) > before:
            return None
        return cls(key=key, name=name, by=Role(by), line=line)

    def evaluate(self, facts: OpportunityFacts, now: datetime, stage: Stage) -> GateResult:
        # Only decisions by the named role (or an admin) count; the latest one stands.
        counted = [
            a
            for a in facts.approvals
            if a.key == self.key and a.by_role in {self.by.value, "admin"} and a.at <= now
        ]
        # of two decisions at the same instant, the one recorded later (they come in order) stands
        latest = max(reversed(counted), key=lambda a: a.at, default=None)
        decision = latest.decision if latest is not None else None
        return self.result(decision == "approve", name=dict(self.name), decision=decision)

    @classmethod
    def said(cls, met: bool, detail: Mapping[str, Any]) -> str:
        name = local(detail.get("name") or {})
        if met:
            return _("%(name)s approved", name=name)
        if detail.get("decision") is not None:
            return _("%(name)s was rejected; ask again", name=name)
        return _("%(name)s: waiting for a director's approval", name=name)

    def describe(self, stage: Stage) -> str:
        return _("%(name)s approved by a director", name=local(self.name))

    def action_url(self, deal: ActionTarget, facts: OpportunityFacts) -> str | None:
        return deal.page("#decisions")
