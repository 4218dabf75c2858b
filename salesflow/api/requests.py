"""API: requests between our people (API.md, "Requests between our people"). The rules live in
salesflow.requests.services (asking, the state machine, the rating) and the scope in
scope.visible_requests; this is the shape."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from salesflow import clock
from salesflow.api import bp, caller, paginate, token_auth
from salesflow.api.schemas import BodyId, Day, Id, Strict, Version, provided, text
from salesflow.requests import kinds, queries, services
from salesflow.requests.models import InternalRequest, RequestChange

StatusName = Literal["open", "accepted", "in_progress", "on_hold", "done", "declined", "cancelled"]
Kind = Annotated[str, Field(min_length=1, max_length=40)]
ERRORS = {404: "Not found or outside your scope", 422: "Invalid input"}
WRITE_ERRORS = {
    **ERRORS,
    403: "Only whoever asked may do this",
    409: "Stale version, or a change the request's status does not allow now",
}


class RequestIn(Strict):
    kind: Kind = Field(description="A service kind (`decision` is asked through the deal).")
    title: text(InternalRequest.title, required=True)
    details: text(InternalRequest.details) | None = None
    account_id: BodyId
    opportunity_id: BodyId | None = Field(None, description="A deal of the account.")
    assignee_id: BodyId | None = Field(
        None, description="Whom to ask (default: the deal's SR, its FR for a delivery plan)."
    )
    needed_by: Day
    rush_reason: text(InternalRequest.rush_reason) | None = Field(
        None, description="Required when needed_by leaves less than the kind's lead time."
    )


class RequestPatch(Strict):
    """By the requester while the request is open; every field optional but `version`."""

    title: text(InternalRequest.title, required=True) | None = None
    details: text(InternalRequest.details) | None = None
    needed_by: Day | None = None
    rush_reason: text(InternalRequest.rush_reason) | None = None
    version: Version


class TransitionIn(Strict):
    to: StatusName
    comment: text(RequestChange.comment) | None = Field(
        None,
        description="Required to put on hold, decline or cancel (why) and for done (what was "
        "delivered).",
    )
    version: Version


class RatingIn(Strict):
    rating: Annotated[int, Field(strict=True, ge=1, le=5)]
    comment: text(InternalRequest.rating_comment) | None = None


class RequestFilter(BaseModel):
    assignee_id: Id | None = None
    requester_id: Id | None = None
    status: StatusName | None = None
    kind: Kind | None = None
    account_id: Id | None = None
    opportunity_id: Id | None = None
    limit: int | None = None
    cursor: str | None = None


class RequestOut(BaseModel):
    id: int
    kind: str
    kind_name: str
    title: str
    details: str | None
    account_id: int
    opportunity_id: int | None
    stage: str | None = Field(description="A decision request's stage and decision point.")
    gate: str | None
    requester_id: int
    assignee_id: int
    needed_by: date
    lead_days: int = Field(description="Working days from the day it was asked to needed_by.")
    rush: bool
    rush_reason: str | None
    status: str
    reason: str | None = Field(description="The latest reason for a hold, decline or cancel.")
    delivered: str | None
    created_at: datetime
    accepted_at: datetime | None
    done_at: datetime | None
    rating: int | None
    rating_comment: str | None
    version: int
    allowed: list[str] = Field(description="The statuses you may move it to now.")


class RequestPage(BaseModel):
    items: list[RequestOut]
    next_cursor: str | None


COLUMNS = (
    "id",
    "kind",
    "title",
    "details",
    "account_id",
    "opportunity_id",
    "requester_id",
    "assignee_id",
    "needed_by",
    "rush",
    "rush_reason",
    "reason",
    "delivered",
    "created_at",
    "accepted_at",
    "done_at",
    "rating",
    "rating_comment",
    "version",
)


def request_out(request: InternalRequest) -> dict[str, Any]:
    asked_on = clock.today(request.created_at)
    return {
        **{column: getattr(request, column) for column in COLUMNS},
        "kind_name": kinds.label(request.kind),
        "stage": request.stage_key,
        "gate": request.gate_key,
        "status": request.status.value,
        "lead_days": services.lead_days(asked_on, request.needed_by),
        "allowed": services.allowed(caller(), request),
    }


@bp.get("/requests")
@bp.auth_required(token_auth)
@bp.input(RequestFilter, location="query", arg_name="filters")
@bp.output(RequestPage)
@bp.doc(
    summary="Requests between our people you may see (yours, asked of you, your team's for a "
    "director, all for leadership), by id; filter by assignee, requester, status, kind, "
    "account, deal",
    description="Paginated by `limit` and the opaque `cursor` of the previous page.",
    responses={422: "Invalid filter, limit or cursor"},
)
def list_requests(filters: RequestFilter):
    query = queries.inbox_query(
        caller(),
        side=None,
        status=filters.status,
        assignee_id=filters.assignee_id,
        requester_id=filters.requester_id,
    ).order_by(None)
    if filters.kind is not None:
        query = query.where(InternalRequest.kind == filters.kind)
    if filters.account_id is not None:
        query = query.where(InternalRequest.account_id == filters.account_id)
    if filters.opportunity_id is not None:
        query = query.where(InternalRequest.opportunity_id == filters.opportunity_id)
    return paginate(query, InternalRequest.id, request_out)


@bp.post("/requests")
@bp.auth_required(token_auth)
@bp.input(RequestIn, location="json", arg_name="data")
@bp.output(RequestOut, status_code=201)
@bp.doc(
    summary="Ask a colleague who sees the account for a service, needed by a date (less than "
    "the kind's lead time is a rush and needs its reason)",
    responses=ERRORS,
)
def create_request(data: RequestIn):
    request = services.ask(caller(), **provided(data), now=clock.now())
    return request_out(request), 201


@bp.get("/requests/<int:request_id>")
@bp.auth_required(token_auth)
@bp.output(RequestOut)
@bp.doc(summary="One request", responses=ERRORS)
def get_request(request_id: int):
    return request_out(queries.get_visible(caller(), request_id))


@bp.patch("/requests/<int:request_id>")
@bp.auth_required(token_auth)
@bp.input(RequestPatch, location="json", arg_name="data")
@bp.output(RequestOut)
@bp.doc(
    summary="Change the title, details, date needed or rush reason of an open request you asked",
    responses=WRITE_ERRORS,
)
def update_request(request_id: int, data: RequestPatch):
    request = queries.get_visible(caller(), request_id)
    services.update_request(caller(), request, provided(data), now=clock.now())
    return request_out(request)


@bp.post("/requests/<int:request_id>/transition")
@bp.auth_required(token_auth)
@bp.input(TransitionIn, location="json", arg_name="data")
@bp.output(RequestOut)
@bp.doc(
    summary="Move a request: the person asked accepts, starts, holds, delivers or declines it; "
    "the requester cancels it. A decision request is closed by deciding on the deal.",
    responses={**ERRORS, 409: "Stale version, or a move you may not make now (with why)"},
)
def transition_request(request_id: int, data: TransitionIn):
    request = queries.get_visible(caller(), request_id)
    services.transition(caller(), request, data.to, data.comment, data.version, now=clock.now())
    return request_out(request)


@bp.post("/requests/<int:request_id>/rating")
@bp.auth_required(token_auth)
@bp.input(RatingIn, location="json", arg_name="data")
@bp.output(RequestOut)
@bp.doc(
    summary="Rate a done or declined request you asked, 1 to 5, once",
    responses={**WRITE_ERRORS, 409: "Not done or declined, or already rated"},
)
def rate_request(request_id: int, data: RatingIn):
    request = queries.get_visible(caller(), request_id)
    services.rate(caller(), request, data.rating, data.comment, now=clock.now())
    return request_out(request)
