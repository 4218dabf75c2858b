"""API: opportunities, their iron triangle, exit gates, moves, checklist, approvals and stage
history (see API.md). The rules live in opportunities.services and .moves; this is the shape."""

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow import clock, scope
from salesflow.api import bp, caller, paginate, token_auth
from salesflow.api.opportunity_schemas import (
    ERRORS,
    GATES_UNMET,
    WRITE_ERRORS,
    AdvanceIn,
    ApprovalIn,
    ApprovalOut,
    BackIn,
    CloseIn,
    GatesOut,
    OpportunityDetailOut,
    OpportunityFilter,
    OpportunityIn,
    OpportunityOut,
    OpportunityPage,
    OpportunityPatch,
    ReopenIn,
    RoleOut,
    RolesIn,
    StageChangeOut,
    TickIn,
    TickOut,
)
from salesflow.api.schemas import provided
from salesflow.errors import ValidationFailed
from salesflow.extensions import db
from salesflow.key_accounts import deal_roles
from salesflow.opportunities import decisions, moves, queries, services
from salesflow.opportunities.facts import gate_results
from salesflow.opportunities.models import (
    Approval,
    ChecklistTick,
    Decision,
    Opportunity,
    StageChange,
    TriangleRole,
)
from salesflow.playbooks import registry
from salesflow.playbooks.gates import said

COLUMNS = (
    "id",
    "account_id",
    "name",
    "currency",
    "expected_close",
    "customer_need",
    "competitors",
    "status",
    "stage_entered_at",
    "close_reason",
    "closed_at",
    "version",
    "created_at",
    "updated_at",
)
DECISIONS = {"request": Decision.requested, "approve": Decision.approve, "reject": Decision.reject}


def opportunity_out(opportunity: Opportunity) -> dict[str, Any]:
    stage = queries.stage_of(opportunity)
    amount = opportunity.amount
    return {
        **{column: getattr(opportunity, column) for column in COLUMNS},
        "amount": None if amount is None else str(amount),
        "playbook": opportunity.playbook_version.key,
        "playbook_version": opportunity.playbook_version.version,
        "stage": stage.key,
        "stage_name": dict(stage.name),
        "probability": stage.probability,
        "weighted_amount": str(queries.weighted(opportunity)),
        "roles": roles_out(opportunity),
        **_loss_out(opportunity),
    }


def _loss_out(opportunity: Opportunity) -> dict[str, Any]:
    """A lost deal's loss reason: the key of its playbook's list and its name by language."""
    if opportunity.loss_reason is None:
        return {"loss_reason": None, "loss_reason_name": None}
    playbook = registry.playbook(opportunity.playbook_version)
    reason = registry.loss_reason(playbook, opportunity.loss_reason)
    return {"loss_reason": reason.key, "loss_reason_name": dict(reason.name)}


def roles_out(opportunity: Opportunity) -> list[dict[str, Any]]:
    """The iron triangle in its usual order: AR, SR, FR."""
    seats = sorted(opportunity.roles, key=lambda r: list(TriangleRole).index(r.role))
    return [{"user_id": r.user_id, "name": r.user.name, "role": r.role.value} for r in seats]


def _load(opportunity_id: int) -> Opportunity:
    """The opportunity in the caller's scope (NotFound outside it)."""
    return scope.get_opportunity(caller(), opportunity_id)


def _filters(filters: OpportunityFilter) -> queries.OpportunityFilters:
    month = filters.close_month
    return queries.OpportunityFilters(
        q=filters.q,
        team_id=filters.team_id,
        owner_id=filters.owner_id,
        close_month=month,
        mine=filters.mine,
        playbook=filters.playbook,
        status=None if filters.status == "all" else filters.status,
        stage=filters.stage,
        account_id=filters.account_id,
    )


@bp.get("/opportunities")
@bp.auth_required(token_auth)
@bp.input(OpportunityFilter, location="query", arg_name="filters")
@bp.output(OpportunityPage)
@bp.doc(
    summary="Opportunities you may see, by id; filter by q, team, AR owner, close month, mine, "
    "playbook, status (default open; `all` for every status), stage, account",
    description="Paginated by `limit` and the opaque `cursor` of the previous page.",
    responses={422: "Invalid filter, limit or cursor"},
)
def list_opportunities(filters: OpportunityFilter):
    query = queries.with_people(queries.list_query(caller(), _filters(filters)))
    return paginate(query, Opportunity.id, opportunity_out)


@bp.post("/opportunities")
@bp.auth_required(token_auth)
@bp.input(OpportunityIn, location="json", arg_name="data")
@bp.output(OpportunityDetailOut, status_code=201)
@bp.doc(
    summary="Open a deal in the first stage of a playbook, with the iron triangle of its account "
    "team (you take the AR seat when the account has no AR)",
    responses=ERRORS,
)
def create_opportunity(data: OpportunityIn):
    opportunity = services.create_opportunity(provided(data), actor=caller(), now=clock.now())
    return deal_out(opportunity), 201


@bp.get("/opportunities/<int:opportunity_id>")
@bp.auth_required(token_auth)
@bp.output(OpportunityDetailOut)
@bp.doc(
    summary="One opportunity, with the decisions asked on it and not answered", responses=ERRORS
)
def get_opportunity(opportunity_id: int):
    return deal_out(_load(opportunity_id))


def deal_out(opportunity: Opportunity) -> dict[str, Any]:
    """One deal as GET, POST and PATCH answer it: its fields and its pending decisions."""
    pending = decisions.pending_on([opportunity.id]).get(opportunity.id, [])
    contacts = [
        {"contact_id": d.contact.id, "role": d.role.value}
        for d in deal_roles.deal_contacts(opportunity)
    ]
    return {
        **opportunity_out(opportunity),
        "pending_decisions": [pending_out(p) for p in pending],
        "contacts": contacts,
    }


def pending_out(pending: decisions.PendingDecision) -> dict[str, Any]:
    """A pending decision as a request of kind `decision` (API.md, Requests between our people)."""
    return {
        "id": pending.request_id,
        "kind": "decision",
        "status": "open",
        "stage": pending.stage_key,
        "gate": pending.gate_key,
        "title": dict(pending.gate_name),
        "account_id": pending.account_id,
        "opportunity_id": pending.opportunity_id,
        "requester_id": pending.requester_id,
        "created_at": pending.asked_at,
        "details": pending.comment,
    }


@bp.patch("/opportunities/<int:opportunity_id>")
@bp.auth_required(token_auth)
@bp.input(OpportunityPatch, location="json", arg_name="data")
@bp.output(OpportunityDetailOut)
@bp.doc(summary="Change an open opportunity's fields", responses=WRITE_ERRORS)
def update_opportunity(opportunity_id: int, data: OpportunityPatch):
    opportunity, fields, now = _load(opportunity_id), provided(data), clock.now()
    contacts = fields.pop("contacts", None)
    services.update_opportunity(opportunity, fields, actor=caller(), now=now)
    if contacts is not None:  # the version read was checked just above
        change = {"version": opportunity.version, "contacts": contacts}
        deal_roles.set_deal_contacts(opportunity, change, actor=caller(), now=now)
    return deal_out(opportunity)


@bp.put("/opportunities/<int:opportunity_id>/roles")
@bp.auth_required(token_auth)
@bp.input(RolesIn, location="json", arg_name="seats")
@bp.output(list[RoleOut])
@bp.doc(
    summary="Replace the iron triangle: AR, SR, FR, one person each",
    responses={**ERRORS, 403: "Not allowed", 409: "Changed by someone else at the same time"},
)
def put_opportunity_roles(opportunity_id: int, seats: RolesIn):
    opportunity = _load(opportunity_id)
    services.set_roles(
        opportunity, [s.model_dump() for s in seats.root], actor=caller(), now=clock.now()
    )
    return roles_out(opportunity)


@bp.get("/opportunities/<int:opportunity_id>/gates")
@bp.auth_required(token_auth)
@bp.output(GatesOut)
@bp.doc(
    summary="The current stage's exit gates, each met or not, with what to do", responses=ERRORS
)
def get_opportunity_gates(opportunity_id: int):
    opportunity = _load(opportunity_id)
    results = gate_results(opportunity, now=clock.now())
    return {
        "stage": opportunity.stage_key,
        "gates": [
            {"gate": r.gate, "met": r.met, "message": r.message, "hint": r.hint} for r in results
        ],
        "all_met": all(r.met for r in results),
    }


@bp.post("/opportunities/<int:opportunity_id>/advance")
@bp.auth_required(token_auth)
@bp.input(AdvanceIn, location="json", arg_name="data")
@bp.output(OpportunityOut)
@bp.doc(
    summary="Advance to the next stage when every exit gate holds (directors and admins may "
    "override unmet gates with a reason)",
    responses={**WRITE_ERRORS, 403: "Override by someone who may not", 422: GATES_UNMET},
)
def advance_opportunity(opportunity_id: int, data: AdvanceIn):
    opportunity = _load(opportunity_id)
    return opportunity_out(
        moves.advance(opportunity, provided(data), actor=caller(), now=clock.now())
    )


@bp.post("/opportunities/<int:opportunity_id>/back")
@bp.auth_required(token_auth)
@bp.input(BackIn, location="json", arg_name="data")
@bp.output(OpportunityOut)
@bp.doc(summary="Move back to an earlier stage, saying why", responses=WRITE_ERRORS)
def move_opportunity_back(opportunity_id: int, data: BackIn):
    opportunity = _load(opportunity_id)
    return opportunity_out(
        moves.move_back(opportunity, provided(data), actor=caller(), now=clock.now())
    )


@bp.post("/opportunities/<int:opportunity_id>/close")
@bp.auth_required(token_auth)
@bp.input(CloseIn, location="json", arg_name="data")
@bp.output(OpportunityOut)
@bp.doc(
    summary="Close as won (from the last stage, its gates met or overridden) or lost (from any "
    "stage, with the reason)",
    responses={**WRITE_ERRORS, 422: GATES_UNMET},
)
def close_opportunity(opportunity_id: int, data: CloseIn):
    opportunity = _load(opportunity_id)
    return opportunity_out(
        moves.close(opportunity, provided(data), actor=caller(), now=clock.now())
    )


@bp.post("/opportunities/<int:opportunity_id>/reopen")
@bp.auth_required(token_auth)
@bp.input(ReopenIn, location="json", arg_name="data")
@bp.output(OpportunityOut)
@bp.doc(
    summary="Reopen a closed deal in the stage it closed in (director or admin, with a reason)",
    responses=WRITE_ERRORS,
)
def reopen_opportunity(opportunity_id: int, data: ReopenIn):
    opportunity = _load(opportunity_id)
    return opportunity_out(
        moves.reopen(opportunity, provided(data), actor=caller(), now=clock.now())
    )


def tick_out(tick: ChecklistTick) -> dict[str, Any]:
    return {
        "stage": tick.stage_key,
        "item": tick.item_key,
        "evidence": tick.evidence,
        "ticked_by_id": tick.ticked_by_id,
        "ticked_at": tick.ticked_at,
    }


@bp.post("/opportunities/<int:opportunity_id>/checklist")
@bp.auth_required(token_auth)
@bp.input(TickIn, location="json", arg_name="data")
@bp.output(TickOut, status_code=201)
@bp.doc(
    summary="Tick a checklist item of the current stage, with its evidence",
    responses={**ERRORS, 403: "Not allowed"},
)
def tick_checklist_item(opportunity_id: int, data: TickIn):
    opportunity = _load(opportunity_id)
    tick = services.tick_item(opportunity, provided(data), actor=caller(), now=clock.now())
    return tick_out(tick), 201


@bp.delete("/opportunities/<int:opportunity_id>/checklist/<stage>/<item>")
@bp.auth_required(token_auth)
@bp.output({}, status_code=204)
@bp.doc(
    summary="Untick a checklist item of the current stage (its evidence stays in the history)",
    responses={**ERRORS, 403: "Not allowed"},
)
def untick_checklist_item(opportunity_id: int, stage: str, item: str):
    opportunity = _load(opportunity_id)
    if "\x00" in stage + item:  # never sent to the database (PostgreSQL refuses NUL)
        raise ValidationFailed(fields={"item": ["Text must not contain NUL characters."]})
    services.untick_item(
        opportunity, {"stage": stage, "item": item}, actor=caller(), now=clock.now()
    )
    return "", 204


def approval_out(approval: Approval) -> dict[str, Any]:
    decision = {v: k for k, v in DECISIONS.items()}[approval.decision]
    return {
        "id": approval.id,
        "stage": approval.stage_key,
        "gate": approval.gate_key,
        "decision": decision,
        "comment": approval.comment,
        "actor_id": approval.actor_id,
        "at": approval.at,
    }


@bp.post("/opportunities/<int:opportunity_id>/approvals")
@bp.auth_required(token_auth)
@bp.input(ApprovalIn, location="json", arg_name="data")
@bp.output(ApprovalOut, status_code=201)
@bp.doc(
    summary="Request a decision point's approval (whoever works the deal), or approve / reject "
    "it (the team's director or an admin; a rejection says why)",
    responses={**ERRORS, 403: "Only the team's director or an admin decides"},
)
def decide_approval(opportunity_id: int, data: ApprovalIn):
    opportunity = _load(opportunity_id)
    values = {**provided(data), "decision": DECISIONS[data.decision]}
    approval = services.decide(opportunity, values, actor=caller(), now=clock.now())
    return approval_out(approval), 201


def change_out(change: StageChange) -> dict[str, Any]:
    return {
        "at": change.at,
        "actor_id": change.actor_id,
        "actor_name": change.actor.name if change.actor else None,
        "move": change.move.value,
        "from_stage": change.from_stage,
        "to_stage": change.to_stage,
        # each gate said in the caller's language from its stored facts, as /gates says them
        "gates": [{**gate, "message": said(gate)} for gate in change.gates or ()],
        "gates_met": change.gates_met,
        "overridden": change.overridden,
        "reason": change.reason,
    }


@bp.get("/opportunities/<int:opportunity_id>/history")
@bp.auth_required(token_auth)
@bp.output(list[StageChangeOut])
@bp.doc(
    summary="Stage changes, oldest first, with the gates as they were and overrides",
    responses=ERRORS,
)
def get_opportunity_history(opportunity_id: int):
    opportunity = _load(opportunity_id)
    changes = db.session.scalars(
        sa.select(StageChange)
        .where(StageChange.opportunity_id == opportunity.id)
        .options(so.joinedload(StageChange.actor))
        .order_by(StageChange.id)
    )
    return [change_out(change) for change in changes]
