"""Exit gates: the registry of gate types (STYLE.md rule 9) and how each reads its params.

A gate is a frozen dataclass with its typed params and the line it came from. Adding a gate type
is one class here and one entry in GATE_TYPES. Evaluation comes next to each class as a pure
method `evaluate(facts, now) -> GateResult(met, message)` over a small facts object built by a
few set-wise queries (STYLE.md rule 11), so parsing and evaluating a type stay in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from salesflow.accounts.models import TeamRole
from salesflow.auth.models import Role
from salesflow.contacts.models import Attitude, DecisionRole, Level
from salesflow.interactions.models import Kind
from salesflow.playbooks.reader import Reader, _, show
from salesflow.playbooks.schema import Text

IRON_TRIANGLE = (TeamRole.AR, TeamRole.SR, TeamRole.FR)
# Best to worst; `unknown` never qualifies as support (PLAYBOOKS.md, gate `contacts`).
ATTITUDE_ORDER = (
    Attitude.champion,
    Attitude.supporter,
    Attitude.neutral,
    Attitude.skeptic,
    Attitude.opponent,
)
APPROVERS = (Role.director,)  # an admin may also approve; the file names the director


class OpportunityField(StrEnum):
    """Opportunity fields a `fields` gate may require to be filled (`amount` must be > 0)."""

    amount = "amount"
    expected_close = "expected_close"
    customer_need = "customer_need"
    competitors = "competitors"


@dataclass(frozen=True)
class GateContext:
    """What a gate may check while it is parsed: the problems so far and its stage."""

    reader: Reader
    stage_key: str | None
    checklist_keys: tuple[str, ...]  # in file order


@dataclass(frozen=True, kw_only=True)
class Gate:
    """One exit criterion of a stage. `type` is its name in the file, `line` where it is."""

    type: ClassVar[str]
    line: int

    @classmethod
    def parse(cls, params: Any, line: int, ctx: GateContext) -> Gate | None:
        """The gate read from `params` (at `line`), or None with the problems reported."""
        raise NotImplementedError


def _names(
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


@dataclass(frozen=True, kw_only=True)
class RolesGate(Gate):
    """Every listed iron-triangle role has an active user on the opportunity."""

    type: ClassVar[str] = "roles"
    roles: tuple[TeamRole, ...]

    @classmethod
    def parse(cls, params: Any, line: int, ctx: GateContext) -> RolesGate | None:
        names = _names(cls, params, line, ctx, IRON_TRIANGLE, _("role"))
        return None if names is None else cls(roles=tuple(map(TeamRole, names)), line=line)


@dataclass(frozen=True, kw_only=True)
class FieldsGate(Gate):
    """Every listed opportunity field is filled (`amount` > 0)."""

    type: ClassVar[str] = "fields"
    fields: tuple[OpportunityField, ...]

    @classmethod
    def parse(cls, params: Any, line: int, ctx: GateContext) -> FieldsGate | None:
        names = _names(cls, params, line, ctx, tuple(OpportunityField), _("field"))
        return None if names is None else cls(fields=tuple(map(OpportunityField, names)), line=line)


@dataclass(frozen=True, kw_only=True)
class ChecklistGate(Gate):
    """Each listed checklist item of this stage is ticked."""

    type: ClassVar[str] = "checklist"
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


def _map(
    params: Any,
    line: int,
    ctx: GateContext,
    cls: type[Gate],
    keys: tuple[str, ...],
    required: tuple[str, ...],
) -> Any:
    what = _("%(type)s gate", type=cls.type)
    return ctx.reader.mapping(params, line, what, keys, required)


def _choice(ctx: GateContext, params: Any, key: str, allowed: Any, what: str) -> Any:
    if key not in params:
        return None
    return ctx.reader.choice(params[key], params.value_line(key), tuple(allowed), what)


@dataclass(frozen=True, kw_only=True)
class ContactsGate(Gate):
    """The account has at least `min` contacts with `role` (and the attitude and level given)."""

    type: ClassVar[str] = "contacts"
    role: DecisionRole
    min: int
    attitude_at_least: Attitude | None = None
    level: Level | None = None

    @classmethod
    def parse(cls, params: Any, line: int, ctx: GateContext) -> ContactsGate | None:
        keys = ("role", "min", "attitude_at_least", "level")
        before = len(ctx.reader.problems)
        params = _map(params, line, ctx, cls, keys, ("role", "min"))
        if params is None:
            return None
        role = _choice(ctx, params, "role", DecisionRole, _("decision role"))
        minimum = ctx.reader.whole(params, "min", 1)
        attitude = _choice(ctx, params, "attitude_at_least", ATTITUDE_ORDER, _("attitude"))
        level = _choice(ctx, params, "level", Level, _("level"))
        if len(ctx.reader.problems) > before:
            return None
        return cls(
            role=DecisionRole(role),
            min=minimum,
            attitude_at_least=Attitude(attitude) if attitude else None,
            level=Level(level) if level else None,
            line=line,
        )


@dataclass(frozen=True, kw_only=True)
class ContactedGate(Gate):
    """An interaction on the account in the last `within_days` days had a `role` contact in it."""

    type: ClassVar[str] = "contacted"
    role: DecisionRole
    within_days: int

    @classmethod
    def parse(cls, params: Any, line: int, ctx: GateContext) -> ContactedGate | None:
        before = len(ctx.reader.problems)
        params = _map(params, line, ctx, cls, ("role", "within_days"), ("role", "within_days"))
        if params is None:
            return None
        role = _choice(ctx, params, "role", DecisionRole, _("decision role"))
        within_days = ctx.reader.whole(params, "within_days", 1)
        if len(ctx.reader.problems) > before:
            return None
        return cls(role=DecisionRole(role), within_days=within_days, line=line)


@dataclass(frozen=True, kw_only=True)
class InteractionsGate(Gate):
    """The opportunity has at least `min` interactions of `kind` (in the last `within_days`)."""

    type: ClassVar[str] = "interactions"
    kind: Kind
    min: int
    within_days: int | None = None

    @classmethod
    def parse(cls, params: Any, line: int, ctx: GateContext) -> InteractionsGate | None:
        before = len(ctx.reader.problems)
        params = _map(params, line, ctx, cls, ("kind", "min", "within_days"), ("kind", "min"))
        if params is None:
            return None
        kind = _choice(ctx, params, "kind", Kind, _("interaction kind"))
        minimum = ctx.reader.whole(params, "min", 1)
        within_days = ctx.reader.whole(params, "within_days", 1)
        if len(ctx.reader.problems) > before:
            return None
        return cls(kind=Kind(kind), min=minimum, within_days=within_days, line=line)


@dataclass(frozen=True, kw_only=True)
class ApprovalGate(Gate):
    """An approval `key` was given for the opportunity by a director (or admin), not revoked."""

    type: ClassVar[str] = "approval"
    key: str
    name: Text
    by: Role

    @classmethod
    def parse(cls, params: Any, line: int, ctx: GateContext) -> ApprovalGate | None:
        before = len(ctx.reader.problems)
        params = _map(params, line, ctx, cls, ("key", "name", "by"), ("key", "name", "by"))
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


GATE_TYPES: dict[str, type[Gate]] = {
    cls.type: cls
    for cls in (
        RolesGate,
        FieldsGate,
        ContactsGate,
        ContactedGate,
        InteractionsGate,
        ChecklistGate,
        ApprovalGate,
    )
}


def parse_gate(gate: Any, line: int, ctx: GateContext) -> Gate | None:
    """One entry of a stage's `exit` list: a map with exactly one key, the gate type."""
    if not isinstance(gate, dict):
        ctx.reader.problem(
            line, _("a gate must be a map with one key, its type, like {roles: [AR]}")
        )
        return None
    if len(gate) != 1:
        found = ", ".join(map(str, gate)) if gate else _("none")
        ctx.reader.problem(
            line,
            _("a gate must have exactly one key, its type (found %(found)s)", found=found),
        )
        return None
    ((name, params),) = gate.items()
    gate_type = GATE_TYPES.get(name)
    if gate_type is None:
        ctx.reader.problem(
            gate.key_line(name),
            _(
                "unknown gate type %(name)s (known: %(known)s)",
                name=show(name),
                known=", ".join(GATE_TYPES),
            ),
        )
        return None
    return gate_type.parse(params, gate.key_line(name), ctx)
