"""API: opportunities, their iron triangle, exit gates, moves, checklist, approvals and stage
history (see API.md). The rules live in opportunities.services and .moves; this is the shape."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

import sqlalchemy as sa
import sqlalchemy.orm as so
from pydantic import BaseModel, Field, RootModel, StringConstraints

from salesflow import clock
from salesflow.api import bp, caller, paginate, token_auth
from salesflow.api.schemas import Id, Name, Strict, provided
from salesflow.auth import scope
from salesflow.errors import ValidationFailed
from salesflow.extensions import db
from salesflow.opportunities import moves, queries, services
from salesflow.opportunities.facts import gate_results
from salesflow.opportunities.models import (
    Approval,
    ChecklistTick,
    Decision,
    Opportunity,
    StageChange,
    TriangleRole,
)

Key = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Query = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
# Ids and versions in a JSON body must be numbers: "12" is a client bug, answered 422.
BodyId = Annotated[int, Field(strict=True, ge=1, le=2**31 - 1)]
Version = Annotated[int, Field(strict=True, ge=1, le=2**31 - 1)]
VERSION = "The `version` you read; a stale one is a 409."
ERRORS = {404: "Not found or outside your scope", 422: "Invalid input"}
WRITE_ERRORS = {**ERRORS, 403: "Not allowed", 409: "Stale version"}
GATES_UNMET = (
    'Invalid input, or {"error": {"code": "gates_unmet", "message": ..., "unmet": '
    '[{"gate", "message", "hint"}]}} when an exit gate does not hold'
)


class _Fields(Strict):
    amount: Decimal | None = Field(None, description="Decimal string or number, ≥ 0, 2 decimals.")
    currency: str | None = Field(None, description="ISO 4217 (default: the installation's).")
    expected_close: date | None = Field(None, description="YYYY-MM-DD")
    customer_need: str | None = None
    competitors: str | None = None


class OpportunityIn(_Fields):
    account_id: BodyId
    name: Name
    playbook: Key = Field(description="A key of GET /playbooks with `active` true.")


class OpportunityPatch(_Fields):
    """Every field optional (PATCH semantics); `version`, when sent, must be the current one.
    The account and playbook stay: sending another one is a 422."""

    account_id: BodyId | None = None
    playbook: Key | None = None
    name: Name | None = None
    version: Version | None = Field(None, description=VERSION)


class OpportunityFilter(BaseModel):
    q: Query | None = None
    team_id: Id | None = None
    owner_id: Id | None = Field(None, description="Who holds the AR seat.")
    close_month: str | None = Field(
        None, pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$", description="Expected close, YYYY-MM."
    )
    mine: bool = Field(False, description="Deals where you hold an iron-triangle seat.")
    playbook: Key | None = None
    status: Literal["open", "won", "lost", "all"] = "open"
    stage: Key | None = None
    account_id: Id | None = None
    limit: int | None = None
    cursor: str | None = None


class RoleOut(BaseModel):
    user_id: int
    name: str
    role: str


class OpportunityOut(BaseModel):
    id: int
    account_id: int
    name: str
    amount: str | None
    currency: str
    expected_close: date | None
    playbook: str
    playbook_version: int
    customer_need: str | None
    competitors: str | None
    stage: str
    stage_name: dict[str, str]
    status: str
    stage_entered_at: datetime
    probability: int
    weighted_amount: str
    close_reason: str | None
    closed_at: datetime | None
    roles: list[RoleOut]
    version: int
    created_at: datetime
    updated_at: datetime


class OpportunityPage(BaseModel):
    items: list[OpportunityOut]
    next_cursor: str | None


class SeatIn(Strict):
    user_id: BodyId
    role: Literal["AR", "SR", "FR"]


class RolesIn(RootModel[list[SeatIn]]):
    """The whole iron triangle; PUT replaces it."""

    root: list[SeatIn] = Field(max_length=20)


class GateOut(BaseModel):
    gate: str
    met: bool
    message: str
    hint: str | None


class GatesOut(BaseModel):
    stage: str
    gates: list[GateOut]
    all_met: bool


class AdvanceIn(Strict):
    to_stage: Key | None = Field(None, description="The next stage; any other is a 422.")
    override_reason: str | None = Field(None, description="Directors and admins: unmet gates.")
    version: Version = Field(description=VERSION)


class BackIn(Strict):
    to_stage: Key
    reason: str
    version: Version = Field(description=VERSION)


class CloseIn(Strict):
    status: Literal["won", "lost"]
    reason: str | None = Field(None, description="Required when lost.")
    override_reason: str | None = Field(None, description="Directors and admins: unmet gates.")
    version: Version | None = Field(None, description=VERSION)


class ReopenIn(Strict):
    reason: str
    version: Version | None = Field(None, description=VERSION)


class TickIn(Strict):
    stage: Key = Field(description="The current stage.")
    item: Key
    evidence: str = Field(description="What proves it: a document, a link, a note.")


class TickOut(BaseModel):
    stage: str
    item: str
    evidence: str
    ticked_by_id: int
    ticked_at: datetime


class ApprovalIn(Strict):
    stage: Key = Field(description="The current stage.")
    gate: Key = Field(description="The `key` of an approval gate of that stage.")
    decision: Literal["approve", "reject", "request"]
    comment: str | None = Field(None, description="Required when rejecting.")


class ApprovalOut(BaseModel):
    id: int
    stage: str
    gate: str
    decision: Literal["approve", "reject", "request"]
    comment: str | None
    actor_id: int
    at: datetime


class HistoryGateOut(BaseModel):
    gate: str
    met: bool
    message: str


class StageChangeOut(BaseModel):
    at: datetime
    actor_id: int | None
    actor_name: str | None
    move: str
    from_stage: str | None
    to_stage: str
    gates: list[HistoryGateOut] = Field(description="The left stage's gates at the move.")
    gates_met: bool
    overridden: bool
    reason: str | None


COLUMNS = ("id", "account_id", "name", "currency", "expected_close", "customer_need",
           "competitors", "status", "stage_entered_at", "close_reason", "closed_at", "version",
           "created_at", "updated_at")  # fmt: skip
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
    }


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
        q=filters.q, team_id=filters.team_id, owner_id=filters.owner_id,
        close_month=date.fromisoformat(f"{month}-01") if month else None, mine=filters.mine,
        playbook=filters.playbook, status=None if filters.status == "all" else filters.status,
        stage=filters.stage, account_id=filters.account_id,
    )  # fmt: skip


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
@bp.output(OpportunityOut, status_code=201)
@bp.doc(
    summary="Open a deal in the first stage of a playbook; you take the AR seat", responses=ERRORS
)
def create_opportunity(data: OpportunityIn):
    opportunity = services.create_opportunity(provided(data), actor=caller(), now=clock.now())
    return opportunity_out(opportunity), 201


@bp.get("/opportunities/<int:opportunity_id>")
@bp.auth_required(token_auth)
@bp.output(OpportunityOut)
@bp.doc(summary="One opportunity", responses=ERRORS)
def get_opportunity(opportunity_id: int):
    return opportunity_out(_load(opportunity_id))


@bp.patch("/opportunities/<int:opportunity_id>")
@bp.auth_required(token_auth)
@bp.input(OpportunityPatch, location="json", arg_name="data")
@bp.output(OpportunityOut)
@bp.doc(summary="Change an open opportunity's fields", responses=WRITE_ERRORS)
def update_opportunity(opportunity_id: int, data: OpportunityPatch):
    opportunity = _load(opportunity_id)
    services.update_opportunity(opportunity, provided(data), actor=caller(), now=clock.now())
    return opportunity_out(opportunity)


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
        "gates": [{"gate": r.gate, "met": r.met, "message": r.message, "hint": r.hint}
                  for r in results],
        "all_met": all(r.met for r in results),
    }  # fmt: skip


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
    return {"stage": tick.stage_key, "item": tick.item_key, "evidence": tick.evidence,
            "ticked_by_id": tick.ticked_by_id, "ticked_at": tick.ticked_at}  # fmt: skip


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
    return {"id": approval.id, "stage": approval.stage_key, "gate": approval.gate_key,
            "decision": decision, "comment": approval.comment, "actor_id": approval.actor_id,
            "at": approval.at}  # fmt: skip


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
        "at": change.at, "actor_id": change.actor_id,
        "actor_name": change.actor.name if change.actor else None, "move": change.move.value,
        "from_stage": change.from_stage, "to_stage": change.to_stage, "gates": change.gates,
        "gates_met": change.gates_met, "overridden": change.overridden, "reason": change.reason,
    }  # fmt: skip


@bp.get("/opportunities/<int:opportunity_id>/history")
@bp.auth_required(token_auth)
@bp.output(list[StageChangeOut])
@bp.doc(summary="Stage changes, oldest first, with the gates as they were and overrides",
        responses=ERRORS)  # fmt: skip
def get_opportunity_history(opportunity_id: int):
    opportunity = _load(opportunity_id)
    changes = db.session.scalars(
        sa.select(StageChange)
        .where(StageChange.opportunity_id == opportunity.id)
        .options(so.joinedload(StageChange.actor))
        .order_by(StageChange.id)
    )
    return [change_out(change) for change in changes]
