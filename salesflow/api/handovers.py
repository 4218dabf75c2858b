"""API: handovers, their checklist and completion (API.md); transferring the roles and the
successor's confirmation of a key contact. The rules live in handovers.services; the checklist
is derived by handovers.checklist."""

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from salesflow import clock, scope
from salesflow.api import _encode_cursor, bp, caller, page_params, token_auth
from salesflow.api.schemas import BodyId, Day, Strict, provided
from salesflow.contacts.models import Attitude, Influence
from salesflow.dependency import queries as dependency_queries
from salesflow.extensions import db
from salesflow.handovers import checklist, queries, services
from salesflow.handovers.models import Handover

ERRORS = {404: "Not found or outside your scope", 422: "Invalid input"}
WRITE_ERRORS = {**ERRORS, 403: "Not allowed"}
ACCOUNTS = (
    "The accounts handed over; omit (or null) for every account of the person: on its account "
    "team, in a role on an open deal, or with a live tie."
)


class HandoverIn(Strict):
    from_user_id: BodyId
    to_user_id: BodyId = Field(description="An active user other than from_user_id.")
    account_ids: list[BodyId] | None = Field(None, max_length=1000, description=ACCOUNTS)
    due_date: Day = Field(description="YYYY-MM-DD, today or later.")


class ConfirmIn(Strict):
    contact_id: BodyId = Field(description="A key contact of the handover.")
    attitude: Attitude | None = Field(None, description="Omit to confirm the current value.")
    influence: Influence | None = Field(None, description="Omit to confirm the current value.")


class ItemOut(BaseModel):
    account_id: int
    item: Literal["roles_transferred", "joint_contact", "confirmed"]
    contact_id: int | None
    done: bool
    interaction_id: int | None = Field(description="The joint contact that proves the item.")
    confirmed_at: datetime | None


class CompletionOut(BaseModel):
    done: int
    total: int
    percent: int


class HandoverAccountOut(BaseModel):
    account_id: int
    risk_before: str = Field(description="The account's dependency risk when the handover began.")
    risk_now: str | None


class HandoverOut(BaseModel):
    id: int
    from_user_id: int
    to_user_id: int
    account_ids: list[int]
    due_date: date
    created_by_id: int
    created_at: datetime
    completed_at: datetime | None = Field(description="When the checklist was first complete.")
    complete: bool
    overdue: bool
    completion: CompletionOut
    items: list[ItemOut]
    accounts: list[HandoverAccountOut]


class HandoverPage(BaseModel):
    items: list[HandoverOut]
    next_cursor: str | None


class PageQuery(BaseModel):
    limit: int | None = None
    cursor: str | None = None


def _item(item: checklist.Item) -> dict[str, Any]:
    return {
        "account_id": item.account_id,
        "item": item.kind.value,
        "contact_id": item.contact_id,
        "done": item.done,
        "interaction_id": item.interaction_id,
        "confirmed_at": item.confirmed_at,
    }


def handovers_out(handovers: list[Handover]) -> list[dict[str, Any]]:
    """Handovers with their checklists and risks, for any number of them in a few queries."""
    now = clock.now()
    lists = checklist.build(handovers)
    risks = dependency_queries.risks({a for h in handovers for a in h.account_ids}, now=now)
    today = clock.today(now)
    out = []
    for handover in handovers:
        items = lists[handover.id]
        out.append(
            {
                "id": handover.id,
                "from_user_id": handover.from_user_id,
                "to_user_id": handover.to_user_id,
                "account_ids": handover.account_ids,
                "due_date": handover.due_date,
                "created_by_id": handover.created_by_id,
                "created_at": handover.created_at,
                "completed_at": handover.completed_at,
                "complete": items.complete,
                "overdue": items.overdue(today),
                "completion": {"done": items.done, "total": items.total, "percent": items.percent},
                "items": [_item(i) for i in items.items],
                "accounts": [
                    {
                        "account_id": link.account_id,
                        "risk_before": link.risk_before,
                        "risk_now": risks[link.account_id].name
                        if link.account_id in risks
                        else None,
                    }
                    for link in handover.accounts
                ],
            }
        )
    return out


def _load(handover_id: int) -> Handover:
    return scope.get_handover(caller(), handover_id)


@bp.get("/handovers")
@bp.auth_required(token_auth)
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(HandoverPage)
@bp.doc(
    summary="Handovers you may see (you plan, give or receive; a director's team's; all for "
    "leadership and admins), by id, each with its checklist and completion",
    description="Paginated by `limit` and the opaque `cursor` of the previous page.",
    responses={422: "Invalid limit or cursor"},
)
def list_handovers(query: PageQuery):
    limit, after = page_params()
    select = queries.list_query(caller())
    if after is not None:
        select = select.where(Handover.id > after)
    rows = db.session.scalars(select.order_by(Handover.id).limit(limit + 1)).unique().all()
    more = len(rows) > limit
    rows = list(rows[:limit])
    return {
        "items": handovers_out(rows),
        "next_cursor": _encode_cursor(rows[-1].id) if more else None,
    }


@bp.post("/handovers")
@bp.auth_required(token_auth)
@bp.input(HandoverIn, location="json", arg_name="data")
@bp.output(HandoverOut, status_code=201)
@bp.doc(
    summary="Plan a handover (leadership and admins: anyone; directors: their team)",
    responses={**WRITE_ERRORS, 403: "Reps do not plan handovers"},
)
def create_handover(data: HandoverIn):
    handover = services.create_handover(provided(data), actor=caller(), now=clock.now())
    return handovers_out([handover])[0], 201


@bp.get("/handovers/<int:handover_id>")
@bp.auth_required(token_auth)
@bp.output(HandoverOut)
@bp.doc(summary="One handover with its checklist items, completion and risks", responses=ERRORS)
def get_handover(handover_id: int):
    return handovers_out([_load(handover_id)])[0]


@bp.post("/handovers/<int:handover_id>/transfer")
@bp.auth_required(token_auth)
@bp.output(HandoverOut)
@bp.doc(
    summary="Give the successor every role the old person holds on the handover's accounts "
    "(account teams and open deals)",
    responses=WRITE_ERRORS,
)
def transfer_handover_roles(handover_id: int):
    handover = _load(handover_id)
    services.transfer_roles(handover, actor=caller(), now=clock.now())
    return handovers_out([handover])[0]


@bp.post("/handovers/<int:handover_id>/confirmations")
@bp.auth_required(token_auth)
@bp.input(ConfirmIn, location="json", arg_name="data")
@bp.output(HandoverOut)
@bp.doc(
    summary="The successor confirms a key contact's attitude and influence (changing them when "
    "given values differ)",
    responses=WRITE_ERRORS,
)
def confirm_handover_contact(handover_id: int, data: ConfirmIn):
    handover = _load(handover_id)
    values = provided(data)
    contact_id = values.pop("contact_id")
    services.confirm_contact(handover, contact_id, values, actor=caller(), now=clock.now())
    return handovers_out([handover])[0]
