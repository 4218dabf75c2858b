"""Opportunities: creating and editing deals, the iron triangle, checklist ticks and approvals.

Moves between stages live in `moves`. Whoever sees a deal's account works the deal; decisions
(approvals, overrides, reopening) belong to the director of the account's team or an admin
(PLAYBOOKS.md). Every change is audited on the account, so the account page shows it too.
"""

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from salesflow import scope
from salesflow.accounts.models import Account
from salesflow.audit import services as audit
from salesflow.auth.models import User
from salesflow.errors import Forbidden, ValidationFailed
from salesflow.extensions import db
from salesflow.opportunities import decisions
from salesflow.opportunities.models import (
    Approval,
    ChecklistTick,
    Decision,
    Move,
    Opportunity,
    OpportunityRole,
    StageChange,
    TriangleRole,
)
from salesflow.playbooks import registry
from salesflow.playbooks.gates import ApprovalGate
from salesflow.playbooks.gates.base import local
from salesflow.playbooks.schema import Playbook, Stage
from salesflow.requests import services as requests
from salesflow.validation import Errors, add, day, is_id, money, require_version, text

# Text fields (lengths from the columns); the customer's need may take several lines.
TEXT_FIELDS = {"name": False, "customer_need": True, "competitors": False}
FIELDS = ("name", "amount", "currency", "expected_close", "customer_need", "competitors")
MAX_AMOUNT = Decimal(10) ** 14
CURRENCY = re.compile(r"^[A-Z]{3}$")


def _text(data: dict[str, Any], clean: dict[str, Any], errors: Errors) -> None:
    for name, multiline in TEXT_FIELDS.items():
        if name in data:
            column = getattr(Opportunity, name)
            clean[name] = text(data[name], name, errors, column=column, multiline=multiline)
    if "name" in data and not clean.get("name") and "name" not in errors:
        add(errors, "name", _l("Name the opportunity."))


def _validate(data: dict[str, Any]) -> dict[str, Any]:
    """Every field given, cleaned; ValidationFailed with every problem at once."""
    errors: Errors = {}
    clean: dict[str, Any] = {}
    _text(data, clean, errors)
    if "amount" in data:
        clean["amount"] = money(
            data["amount"],
            "amount",
            errors,
            maximum=MAX_AMOUNT,
            negative=_l("The amount cannot be negative."),
        )
    if "currency" in data:
        currency = data["currency"]
        currency = currency.strip().upper() if isinstance(currency, str) else None
        if not currency or not CURRENCY.match(currency):
            add(errors, "currency", _l("Use a three-letter currency code such as CNY."))
        clean["currency"] = currency
    if "expected_close" in data:
        clean["expected_close"] = day(data["expected_close"], "expected_close", errors)
    if errors:
        raise ValidationFailed(fields=errors)
    return clean


def _playbook(key: Any, now: datetime) -> tuple[Any, Playbook]:
    """The stored version of the newest file version of playbook `key`."""
    playbooks = registry.file_playbooks()
    if not isinstance(key, str) or key not in playbooks:
        raise ValidationFailed(fields={"playbook": [str(_l("Choose a playbook."))]})
    return registry.stored_version(playbooks[key], now=now), playbooks[key]


def record_move(
    opportunity: Opportunity,
    move: Move,
    *,
    actor: User | None,
    now: datetime,
    from_stage: str | None = None,
    results: list[Any] = (),
    overridden: bool = False,
    reason: str | None = None,
) -> StageChange:
    """Add one stage history entry: the gates as they were, who, when and why."""
    change = StageChange(
        opportunity_id=opportunity.id,
        at=now,
        actor_id=actor.id if actor else None,
        move=move,
        from_stage=from_stage,
        to_stage=opportunity.stage_key,
        # each gate with the facts its message names, said again in each reader's language
        gates=[
            {"gate": r.gate, "met": r.met, "message": r.message, "detail": r.detail}
            for r in results
        ],
        gates_met=all(r.met for r in results),
        overridden=overridden,
        reason=reason,
    )
    db.session.add(change)
    return change


def account_triangle(account: Account, creator: User) -> dict[TriangleRole, int]:
    """The seats a new deal takes from its account team: the account's AR, SR and FR (active
    people; of two in one role, the first added), and the creator as AR when the account has
    none."""
    seats: dict[TriangleRole, int] = {}
    for member in sorted(account.members, key=lambda m: m.id):
        if member.role.value in TriangleRole.__members__ and member.user.active:
            seats.setdefault(TriangleRole(member.role.value), member.user_id)
    seats.setdefault(TriangleRole.AR, creator.id)
    return dict(sorted(seats.items(), key=lambda seat: list(TriangleRole).index(seat[0])))


def create_opportunity(data: dict[str, Any], *, actor: User, now: datetime) -> Opportunity:
    """Open a deal on an account the actor sees, in the first stage of the newest version of the
    chosen playbook, with the iron triangle `roles` names ([{user_id, role}], as set_roles
    takes it), or else the account team's (account_triangle). Raises NotFound (account),
    ValidationFailed."""
    account_id = data.get("account_id")
    if not is_id(account_id):
        raise ValidationFailed(fields={"account_id": [str(_l("Choose an account."))]})
    account = scope.get_account(actor, account_id)
    values = {"name": None, "currency": current_app.config["CURRENCY"], **data}
    try:
        clean = _validate({k: v for k, v in values.items() if k in FIELDS})
        errors: Errors = {}
    except ValidationFailed as error:
        clean, errors = {}, error.fields
    seats = account_triangle(account, actor)
    if data.get("roles") is not None:
        try:
            seats = _wanted_seats(Opportunity(account=account, roles=[]), data["roles"])
        except ValidationFailed as error:
            errors = {**errors, **error.fields}
    try:
        version, playbook = _playbook(data.get("playbook"), now)
    except ValidationFailed as error:
        raise ValidationFailed(fields={**errors, **error.fields}) from None
    if errors:
        raise ValidationFailed(fields=errors)
    opportunity = Opportunity(
        account_id=account.id,
        playbook_version_id=version.id,
        stage_key=playbook.first_stage.key,
        stage_entered_at=now,
        created_by_id=actor.id,
        **clean,
    )
    opportunity.roles = [OpportunityRole(user_id=u, role=r) for r, u in seats.items()]
    db.session.add(opportunity)
    db.session.flush()
    changes = {f: (None, v) for f in FIELDS if (v := getattr(opportunity, f)) is not None}
    changes.update(
        playbook=(None, f"{playbook.key} v{playbook.version}"),
        roles=(None, _seat_pairs(opportunity)),
    )
    audit.record(opportunity, "create", changes, actor=actor, now=now, account_id=account.id)
    record_move(opportunity, Move.created, actor=actor, now=now)
    return opportunity


def check_opportunity(data: dict[str, Any]) -> dict[str, Any]:
    """The cleaned fields (name, amount, currency, expected close, need, competitors), checked by
    the same rules as create and update, without writing (an import's dry run). Raises
    ValidationFailed with every problem."""
    return _validate({k: v for k, v in data.items() if k in FIELDS})


def import_opportunity(
    data: dict[str, Any],
    *,
    stage_key: str,
    seats: list[dict[str, Any]],
    source: str,
    actor: User,
    now: datetime,
) -> Opportunity:
    """Bring in a deal from another system at the stage it had there (PRODUCT.md: the company's
    data lands in salesflow once). The rules of create_opportunity hold — an account the actor
    sees, the fields' checks, the newest version of the playbook — but it enters at `stage_key`
    with the iron triangle of the file (`seats`; nobody is seated by default) and carries its
    `source`. The exit gates of the stages before it were never checked here: its stage history
    says "imported" with gates_met False, and the page shows them as not verified by salesflow,
    never as passed. Raises NotFound (account), ValidationFailed."""
    account_id = data.get("account_id")
    if not is_id(account_id):
        raise ValidationFailed(fields={"account_id": [str(_l("Choose an account."))]})
    account = scope.get_account(actor, account_id)
    errors: Errors = {}
    values = {"name": None, "currency": current_app.config["CURRENCY"], **data}
    try:
        clean = check_opportunity(values)
    except ValidationFailed as error:
        clean, errors = {}, dict(error.fields)
    try:
        version, playbook = _playbook(data.get("playbook"), now)
        if stage_key not in {s.key for s in playbook.stages}:
            add(errors, "stage", _l("This playbook has no such stage."))
    except ValidationFailed as error:
        errors.update(error.fields)
    opportunity = Opportunity(account_id=account.id, account=account, roles=[])
    try:
        wanted = _wanted_seats(opportunity, seats)
    except ValidationFailed as error:
        errors.update(error.fields)
    opportunity.source = text(source, "source", errors, column=Opportunity.source)
    if errors:
        raise ValidationFailed(fields=errors)
    opportunity.playbook_version_id, opportunity.stage_key = version.id, stage_key
    opportunity.stage_entered_at, opportunity.created_by_id = now, actor.id
    for name, value in clean.items():
        setattr(opportunity, name, value)
    opportunity.roles = [OpportunityRole(user_id=u, role=r) for r, u in wanted.items()]
    db.session.add(opportunity)
    db.session.flush()
    changes = {f: (None, v) for f in FIELDS if (v := getattr(opportunity, f)) is not None}
    changes.update(
        playbook=(None, f"{playbook.key} v{playbook.version}"),
        stage_key=(None, stage_key),
        source=(None, opportunity.source),
        roles=(None, _seat_pairs(opportunity)),
    )
    audit.record(opportunity, "create", changes, actor=actor, now=now, account_id=account.id)
    change = record_move(
        opportunity, Move.imported, actor=actor, now=now, reason=opportunity.source
    )
    change.gates_met = False  # not verified by salesflow
    db.session.flush()
    return opportunity


def delete_opportunity(opportunity: Opportunity, *, actor: User, now: datetime) -> Opportunity:
    """Soft-delete a deal (directors of the account's team, admins; undoing an import). It drops
    out of every list, board and figure; nothing is lost. Raises Forbidden."""
    if not scope.can_delete(actor, opportunity.account):
        raise Forbidden()
    if opportunity.deleted_at is None:
        changes = audit.apply_changes(opportunity, {"deleted_at": now}, ("deleted_at",))
        db.session.flush()
        audit.record(
            opportunity, "delete", changes, actor=actor, now=now, account_id=opportunity.account_id
        )
        requests.withdraw_decisions(opportunity, actor=actor, now=now)
    return opportunity


def check_workable(opportunity: Opportunity, actor: User, *, open_only: bool = True) -> None:
    if not scope.can_work_opportunity(actor, opportunity):
        raise Forbidden()
    if open_only and not opportunity.is_open:
        raise ValidationFailed(
            fields={"status": [str(_l("This opportunity is closed; a director can reopen it."))]}
        )


def update_opportunity(
    opportunity: Opportunity, data: dict[str, Any], *, actor: User, now: datetime
) -> Opportunity:
    """Change a deal's fields (open deals only; the account and playbook stay). Raises Forbidden,
    ValidationFailed (also without the `version` read), Conflict (a stale `version`)."""
    check_workable(opportunity, actor)
    require_version(opportunity, data)
    errors: Errors = {}
    if data.get("account_id", opportunity.account_id) != opportunity.account_id:
        add(errors, "account_id", _l("An opportunity cannot move to another account."))
    if (
        "playbook" in data
        and data["playbook"] != registry.playbook(opportunity.playbook_version).key
    ):
        add(errors, "playbook", _l("An opportunity keeps its playbook."))
    try:
        clean = _validate({k: v for k, v in data.items() if k in FIELDS})
    except ValidationFailed as error:
        clean, errors = {}, {**errors, **error.fields}
    if errors:
        raise ValidationFailed(fields=errors)
    changes = audit.apply_changes(opportunity, clean, FIELDS)
    db.session.flush()
    audit.record(
        opportunity, "update", changes, actor=actor, now=now, account_id=opportunity.account_id
    )
    return opportunity


def _seat_pairs(opportunity: Opportunity) -> list[list[Any]]:
    return sorted([r.user_id, r.role.value] for r in opportunity.roles)


def _wanted_seats(opportunity: Opportunity, seats: list[Any]) -> dict[TriangleRole, int]:
    """{role: user id} asked for, or ValidationFailed naming every bad row: one person per seat,
    active users (a leaver already in the seat keeps it until handed over)."""
    ids = {s.get("user_id") for s in seats if isinstance(s, dict)}
    ids = {i for i in ids if is_id(i)}
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
    current = {(r.user_id, r.role) for r in opportunity.roles}
    problems: list[str] = []
    wanted: dict[TriangleRole, int] = {}
    for n, seat in enumerate(seats, start=1):
        seat = seat if isinstance(seat, dict) else {}
        user = users.get(seat.get("user_id"))  # type: ignore[arg-type]
        role = seat.get("role")
        if user is None:
            problems.append(str(_l("Row %(n)d: choose a person who exists.", n=n)))
        elif role not in {r.value for r in TriangleRole}:
            problems.append(str(_l("Choose AR, SR or FR for %(name)s.", name=user.name)))
        elif TriangleRole(role) in wanted:
            problems.append(str(_l("Only one person can be %(role)s.", role=role)))
        elif not user.may_hold(holding := {held for held, seat in current if seat == role}):
            problems.append(str(_l("%(name)s is no longer active.", name=user.name)))
        elif user.id not in holding and not scope.can_see_account(user, opportunity.account):
            problems.append(
                str(
                    _l(
                        "%(name)s cannot see this account, so cannot work its deals.",
                        name=user.name,
                    )
                )
            )
        else:
            wanted[TriangleRole(role)] = user.id
    if problems:
        raise ValidationFailed(fields={"roles": problems})
    return wanted


def set_roles(
    opportunity: Opportunity, seats: list[dict[str, Any]], *, actor: User, now: datetime
) -> Opportunity:
    """Replace the iron triangle with `seats` ([{user_id, role}]; AR, SR, FR, one person each);
    audited as one change of "roles". Raises Forbidden (scope.can_set_roles), ValidationFailed."""
    if not scope.can_set_roles(actor, opportunity):
        raise Forbidden()
    wanted = _wanted_seats(opportunity, seats)
    before = _seat_pairs(opportunity)
    keep = [r for r in opportunity.roles if wanted.get(r.role) == r.user_id]
    kept = {r.role for r in keep}
    opportunity.roles = keep  # removed seats are flushed away before new ones take the role
    db.session.flush()
    opportunity.roles = keep + [
        OpportunityRole(user_id=user_id, role=role)
        for role, user_id in wanted.items()
        if role not in kept
    ]
    db.session.flush()
    after = _seat_pairs(opportunity)
    if before != after:
        audit.record(
            opportunity,
            "update",
            {"roles": (before, after)},
            actor=actor,
            now=now,
            account_id=opportunity.account_id,
        )
    return opportunity


def _stage(opportunity: Opportunity, stage_key: Any) -> Stage:
    """The opportunity's current stage, which `stage_key` must name: work is done where the deal
    is (a later stage's items are ticked when it gets there)."""
    playbook = registry.playbook(opportunity.playbook_version)
    if stage_key != opportunity.stage_key:
        known = isinstance(stage_key, str) and stage_key in {s.key for s in playbook.stages}
        message = (
            _l("The opportunity is not in this stage now.")
            if known
            else _l("This playbook has no such stage.")
        )
        raise ValidationFailed(fields={"stage": [str(message)]})
    return playbook.stage(stage_key)


def short_text(value: Any, name: str, *, column: Any, required: Any = None) -> str | None:
    """One text of a move, tick or decision (a reason, evidence, a comment), cleaned for its
    column; ValidationFailed when refused."""
    errors: Errors = {}
    clean = text(value, name, errors, column=column, multiline=True, required=required)
    if errors:
        raise ValidationFailed(fields=errors)
    return clean


def tick_item(
    opportunity: Opportunity, data: dict[str, Any], *, actor: User, now: datetime
) -> ChecklistTick:
    """Tick a checklist item of the current stage with its evidence (required; ticking again
    replaces it). Raises Forbidden, ValidationFailed."""
    check_workable(opportunity, actor)
    stage = _stage(opportunity, data.get("stage"))
    item = data.get("item")
    if not isinstance(item, str) or item not in {i.key for i in stage.checklist}:
        raise ValidationFailed(fields={"item": [str(_l("This stage has no such checklist item."))]})
    proof = _l("Say what proves it: a document, a link, a note.")
    evidence = short_text(
        data.get("evidence"), "evidence", column=ChecklistTick.evidence, required=proof
    )
    tick = db.session.scalar(
        sa.select(ChecklistTick).where(
            ChecklistTick.opportunity_id == opportunity.id,
            ChecklistTick.stage_key == stage.key,
            ChecklistTick.item_key == item,
        )
    )
    before = None if tick is None or tick.cleared_at else tick.evidence
    if tick is None:
        tick = ChecklistTick(opportunity_id=opportunity.id, stage_key=stage.key, item_key=item)
        db.session.add(tick)
    tick.evidence, tick.ticked_by_id, tick.ticked_at, tick.cleared_at = (
        evidence,
        actor.id,
        now,
        None,
    )
    db.session.flush()
    if before != evidence:
        audit.record(
            opportunity,
            "update",
            {f"checklist.{stage.key}.{item}": (before, evidence)},
            actor=actor,
            now=now,
            account_id=opportunity.account_id,
        )
    return tick


def untick_item(
    opportunity: Opportunity, data: dict[str, Any], *, actor: User, now: datetime
) -> None:
    """Clear a tick of the current stage (the evidence stays in the history). Raises Forbidden,
    ValidationFailed."""
    check_workable(opportunity, actor)
    stage = _stage(opportunity, data.get("stage"))
    tick = db.session.scalar(
        sa.select(ChecklistTick).where(
            ChecklistTick.opportunity_id == opportunity.id,
            ChecklistTick.stage_key == stage.key,
            ChecklistTick.item_key == data.get("item"),
            ChecklistTick.cleared_at.is_(None),
        )
    )
    if tick is None:
        raise ValidationFailed(fields={"item": [str(_l("This item is not ticked."))]})
    tick.cleared_at = now
    db.session.flush()
    audit.record(
        opportunity,
        "update",
        {f"checklist.{stage.key}.{tick.item_key}": (tick.evidence, None)},
        actor=actor,
        now=now,
        account_id=opportunity.account_id,
    )


def _approval_gate(stage: Stage, gate_key: Any) -> ApprovalGate:
    for gate in stage.exit:
        if isinstance(gate, ApprovalGate) and gate.key == gate_key:
            return gate
    raise ValidationFailed(fields={"gate": [str(_l("This stage has no such decision point."))]})


def _lock(opportunity: Opportunity) -> None:
    """Hold the deal's row until the end of the transaction (PostgreSQL: SELECT ... FOR UPDATE;
    SQLite takes its write lock when a writing request begins), so two decisions on one deal
    are taken one after the other and the second sees the first."""
    db.session.execute(
        sa.select(Opportunity.id).where(Opportunity.id == opportunity.id).with_for_update()
    )


def _check_not_repeated(decision: Decision, before: Approval | None, gate: ApprovalGate) -> None:
    """A decision point is asked once, approved once, rejected once: the same record twice in a
    row is refused with what stands (an ask after an approval asks for nothing)."""
    name = local(gate.name)
    if before is None:
        return
    standing = before.decision
    if standing == Decision.requested and decision == Decision.requested:
        message = _l(
            "%(asker)s already asked for %(gate)s; it is waiting for the director.",
            asker=before.actor.name,
            gate=name,
        )
    elif standing == Decision.approve and decision in {Decision.requested, Decision.approve}:
        message = _l("%(gate)s is already approved.", gate=name)
    elif standing == Decision.reject and decision == Decision.reject:
        message = _l("%(gate)s is already rejected.", gate=name)
    else:
        return
    raise ValidationFailed(fields={"decision": [str(message)]})


def decide(
    opportunity: Opportunity, data: dict[str, Any], *, actor: User, now: datetime
) -> Approval:
    """Request a decision point's approval (whoever works the deal), or approve / reject it (the
    role the playbook names: the account team's director, or an admin; a rejection says why).
    The same record twice in a row is refused (asked once until answered). A request is sent to
    the deal's directors, a decision to whoever asked. Raises Forbidden, ValidationFailed."""
    check_workable(opportunity, actor)
    stage = _stage(opportunity, data.get("stage"))
    gate = _approval_gate(stage, data.get("gate"))
    try:
        decision = Decision(data.get("decision"))
    except ValueError:
        raise ValidationFailed(
            fields={"decision": [str(_l("Approve, reject or ask for a decision."))]}
        ) from None
    if decision != Decision.requested and not scope.can_decide(actor, opportunity):
        raise Forbidden(_l("Only the team's director (or an admin) decides this."))
    required = _l("Say why it is rejected.") if decision == Decision.reject else None
    comment = short_text(data.get("comment"), "comment", column=Approval.comment, required=required)
    _lock(opportunity)
    before = decisions.latest(opportunity.id, gate.key)
    _check_not_repeated(decision, before, gate)
    approval = Approval(
        opportunity_id=opportunity.id,
        stage_key=stage.key,
        gate_key=gate.key,
        decision=decision,
        comment=comment,
        actor_id=actor.id,
        actor_role=actor.role.value,
        at=now,
    )
    db.session.add(approval)
    db.session.flush()
    audit.record(
        opportunity,
        "update",
        {f"approval.{gate.key}": (None, decision.value)},
        actor=actor,
        now=now,
        account_id=opportunity.account_id,
    )
    _requests(opportunity, approval, gate, actor=actor, now=now)
    asked = before if before is not None and before.decision == Decision.requested else None
    decisions.announce(approval, opportunity, gate, answered=asked, now=now)
    return approval


def _requests(
    opportunity: Opportunity, approval: Approval, gate: ApprovalGate, *, actor: User, now: datetime
) -> None:
    """Asking makes the decision request to the team's director; deciding closes it (issue 16:
    decisions are requests too, one home for what waits)."""
    if approval.decision == Decision.requested:
        requests.ask_decision(
            actor,
            opportunity,
            stage_key=approval.stage_key,
            gate_key=gate.key,
            title=local(gate.name),
            comment=approval.comment,
            now=now,
        )
    else:
        decision, comment = approval.decision.value, approval.comment
        requests.close_decision(opportunity, gate.key, decision, comment, actor=actor, now=now)
