"""`request_done`: a colleague delivered a request of a kind on the deal (`- request_done:
solution_workshop`): the solution workshop was held before the deal moves on (issue 16, Deal and
gate integration; PLAYBOOKS.md, Gates)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from flask import has_app_context, url_for
from flask_babel import lazy_gettext as _l

from salesflow.playbooks.facts import OpportunityFacts
from salesflow.playbooks.gates.base import ActionTarget, Gate, GateContext, GateResult
from salesflow.playbooks.reader import _
from salesflow.playbooks.schema import Stage
from salesflow.requests import kinds
from salesflow.requests.models import DECISION


def service_kinds() -> tuple[str, ...]:
    """The kinds a gate may ask for: the configured ones, or the defaults when a file is read
    outside the app (`playbooks validate` on a folder). A decision has its own gate, `approval`."""
    listed = kinds.service_kinds() if has_app_context() else kinds.DEFAULT_KINDS
    return tuple(kind for kind in listed if kind != DECISION)


@dataclass(frozen=True, kw_only=True)
class RequestDoneGate(Gate):
    """The deal has a request of `kind` marked done (by the colleague asked), as of now."""

    type: ClassVar[str] = "request_done"
    hint: ClassVar[str] = "ask_request"
    action_label: ClassVar[Any] = _l("Ask a colleague")
    kind: str

    @classmethod
    def parse(cls, params: Any, line: int, ctx: GateContext) -> RequestDoneGate | None:
        if params is None:
            ctx.reader.problem(
                line, _("request_done gate needs a request kind, like solution_workshop")
            )
            return None
        kind = ctx.reader.choice(params, line, service_kinds(), _("request kind"))
        return None if kind is None else cls(kind=kind, line=line)

    def evaluate(self, facts: OpportunityFacts, now: datetime, stage: Stage) -> GateResult:
        done = [r.done_at for r in facts.requests_done if r.kind == self.kind and r.done_at <= now]
        return self.result(
            bool(done), kind=self.kind, done_at=max(done).isoformat() if done else None
        )

    @classmethod
    def said(cls, met: bool, detail: Mapping[str, Any]) -> str:
        kind = kinds.label(str(detail.get("kind", "")))
        if met:
            return _("%(kind)s delivered", kind=kind)
        return _("%(kind)s not yet delivered on this opportunity", kind=kind)

    def describe(self, stage: Stage) -> str:
        return _(
            "%(kind)s delivered on the deal (a request to a colleague, marked done)",
            kind=kinds.label(self.kind),
        )

    def action_url(self, deal: ActionTarget, facts: OpportunityFacts) -> str | None:
        """The request form, filled in with the deal, its account and the kind."""
        return url_for(
            "requests.new",
            opportunity_id=deal.opportunity_id,
            account_id=deal.account_id,
            kind=self.kind,
        )
