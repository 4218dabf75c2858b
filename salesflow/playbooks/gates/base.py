"""What every gate type shares: the class it extends, its result, what it may read while parsed,
and the deal its action links into.

A gate type is one frozen dataclass (a subclass of `Gate`) that parses its params from the file,
evaluates them as a pure method over the deal's facts (STYLE.md rule 11: the facts come from a
few set-wise queries, never one per deal or per gate) and names the action that meets it.

Boundaries, decided once for every type: "within the last N days" includes an interaction
exactly N days old; a contact counts only while current (not deleted, not left) — having once met
a decision maker who has since left the customer does not map today's chain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from flask import has_request_context, url_for
from flask_babel import get_locale

from salesflow.playbooks.facts import OpportunityFacts
from salesflow.playbooks.reader import Reader, _, show
from salesflow.playbooks.schema import Stage, text


@dataclass(frozen=True)
class GateResult:
    gate: str  # the gate's type
    met: bool
    message: str
    hint: str | None = None  # what to do when unmet (API.md): log_contact, map_contacts, ...
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GateContext:
    """What a gate may check while it is parsed: the problems so far and its stage."""

    reader: Reader
    stage_key: str | None
    checklist_keys: tuple[str, ...]  # in file order


@dataclass(frozen=True)
class ActionTarget:
    """The deal a gate's action links into, and whether the reader may reseat its triangle."""

    opportunity_id: int
    account_id: int
    can_set_roles: bool = False
    reader_id: int | None = None  # who follows the link (one of our people on a logged meeting)

    def page(self, anchor: str = "") -> str:
        """The deal page, at `anchor` ("#checklist")."""
        return url_for("opportunities.detail", opportunity_id=self.opportunity_id) + anchor

    def decision_chain(self) -> str:
        return url_for("accounts.detail", account_id=self.account_id) + "#decision-chain"

    def quick_log(self, kind: str, **values: Any) -> str:
        """The quick log of a `kind` interaction on this deal, back to its page when saved."""
        return url_for(
            "interactions.new",
            kind=kind,
            **values,
            account_id=self.account_id,
            opportunity_id=self.opportunity_id,
            next=self.page(),
        )


@dataclass(frozen=True, kw_only=True)
class Gate:
    """One exit criterion of a stage. `type` is its name in the file, `line` where it is."""

    type: ClassVar[str]
    hint: ClassVar[str]  # the key of its action (API.md: an unmet gate's `hint`)
    action_label: ClassVar[Any]  # its action's button, lazily translated
    line: int

    @classmethod
    def parse(cls, params: Any, line: int, ctx: GateContext) -> Gate | None:
        """The gate read from `params` (at `line`), or None with the problems reported."""
        raise NotImplementedError

    def evaluate(self, facts: OpportunityFacts, now: datetime, stage: Stage) -> GateResult:
        """Met or not as of `now`, with a message a rep understands; pure."""
        raise NotImplementedError

    def describe(self, stage: Stage) -> str:
        """What the gate asks, in the reader's language, as the playbook page shows it."""
        raise NotImplementedError

    def action_url(self, deal: ActionTarget, facts: OpportunityFacts) -> str | None:
        """Where to go to meet this gate when unmet; None when the reader is offered nothing."""
        raise NotImplementedError

    @classmethod
    def said(cls, met: bool, detail: Mapping[str, Any]) -> str | None:
        """A result's message said again from its stored `detail`, in the reader's language: the
        stage history shows the gates of a move made long ago, by someone reading another
        language, as its reader reads them (STYLE.md rule 16). None: the type keeps no detail to
        say it from, and the message as stored is shown."""
        return None

    def result(self, met: bool, **detail: Any) -> GateResult:
        """A result whose message is `said` from `detail` — the facts it names, as JSON-safe
        values (keys, counts, ISO times, playbook texts) — which the stage history stores."""
        message = self.said(met, detail) or ""
        return GateResult(self.type, met, message, None if met else self.hint, detail)

    def met(self, message: str) -> GateResult:
        return GateResult(self.type, True, message)

    def unmet(self, message: str, **detail: Any) -> GateResult:
        return GateResult(self.type, False, message, self.hint, detail)


def listed_names(
    cls: type[Gate], params: Any, line: int, ctx: GateContext, allowed: tuple[str, ...], what: str
) -> tuple[str, ...] | None:
    """A list gate's values (`roles: [AR, SR]`): each allowed, none twice, at least one."""
    example = "[" + ", ".join(allowed[:2]) + "]"
    listed = ctx.reader.sequence(
        params,
        line,
        _("%(type)s gate needs a list, like %(example)s", type=cls.type, example=example),
    )
    if listed is None:
        return None
    names: list[str] = []
    for value, value_line in listed.with_lines():
        name = ctx.reader.choice(value, value_line, allowed, what)
        if name in names:
            ctx.reader.problem(value_line, _("%(value)s is listed twice", value=show(name)))
        elif name is not None:
            names.append(name)
    return tuple(names) if len(names) == len(listed) else None


def params_map(
    cls: type[Gate],
    params: Any,
    line: int,
    ctx: GateContext,
    keys: tuple[str, ...],
    required: tuple[str, ...],
) -> Any:
    """A map gate's params (`{role: coach, min: 1}`), unknown and missing keys reported."""
    what = _("%(type)s gate", type=cls.type)
    return ctx.reader.mapping(params, line, what, keys, required)


def param_choice(ctx: GateContext, params: Any, key: str, allowed: Any, what: str) -> Any:
    """The value under `key` if it is one of `allowed` (None when absent or reported)."""
    if key not in params:
        return None
    return ctx.reader.choice(params[key], params.value_line(key), tuple(allowed), what)


def local(texts: Mapping[str, str]) -> str:
    """A playbook text in the reader's language (English outside a request)."""
    return text(texts, get_locale() if has_request_context() else "en")


def within(occurred_at: datetime, now: datetime, days: int | None) -> bool:
    """Not in the future, and no older than `days` (exactly `days` old still counts)."""
    return occurred_at <= now and (days is None or occurred_at >= now - timedelta(days=days))
