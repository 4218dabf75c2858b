"""API: the visit briefing of an account (API.md, Account management:
GET /accounts/{id}/briefing?contact_ids=1,2&on=YYYY-MM-DD)."""

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from salesflow import clock, scope
from salesflow.api import bp, caller, token_auth
from salesflow.api.schemas import Day
from salesflow.key_accounts import briefing

ERRORS = {404: "Not found or outside your scope", 422: "Invalid contact ids or day"}


class BriefingQuery(BaseModel):
    contact_ids: str = Field(
        max_length=400, description="The customer attendees, comma-separated (at most 20)."
    )
    on: Day | None = Field(None, description="The visit's day; today when not given.")


class InteractionOut(BaseModel):
    id: int
    occurred_at: datetime
    kind: str
    summary: str
    owner_id: int


class RapportOut(BaseModel):
    user_id: int
    strength: float


class SharedOut(BaseModel):
    user_id: int
    field: str = Field(description="hometown or education")
    value: str = Field(description="The attendee's hometown, or the school both list.")


class AttendeeOut(BaseModel):
    contact_id: int
    name: str
    title: str | None
    decision_role: str
    influence: str
    attitude: str
    profile: dict[str, str | None]
    last_interactions: list[InteractionOut]
    rapport: list[RapportOut]
    shared_background: list[SharedOut]
    suggested_host_id: int | None


class OpportunityOut(BaseModel):
    id: int
    name: str
    stage_key: str
    amount: Decimal | None
    currency: str
    expected_close: date | None


class ExpectationOut(BaseModel):
    id: int
    statement: str
    category: str
    owner_role: str
    due: date | None


class RequestOut(BaseModel):
    id: int
    kind: str
    title: str
    status: str
    needed_by: date
    assignee_id: int


class BriefingOut(BaseModel):
    account_id: int
    on: date
    attendees: list[AttendeeOut]
    open_opportunities: list[OpportunityOut]
    open_expectations: list[ExpectationOut]
    open_requests: list[RequestOut]
    spend_this_year: dict[str, Decimal] = Field(description="Per currency, from logged costs.")


def _attendee(a: briefing.Attendee) -> dict:
    c = a.contact
    host = a.suggested_host
    return {
        "contact_id": c.id,
        "name": c.name,
        "title": c.title,
        "decision_role": c.decision_role.value,
        "influence": c.influence.value,
        "attitude": c.attitude.value,
        "profile": c.profile,
        "last_interactions": [
            {
                "id": i.id,
                "occurred_at": i.occurred_at,
                "kind": i.kind.value,
                "summary": i.summary,
                "owner_id": i.owner_id,
            }
            for i in a.last_interactions
        ],
        "rapport": [{"user_id": r.user.id, "strength": round(r.strength, 3)} for r in a.rapport],
        "shared_background": [
            {"user_id": s.user.id, "field": s.field, "value": s.value} for s in a.shared_background
        ],
        "suggested_host_id": host.id if host else None,
    }


def briefing_out(b: briefing.Briefing) -> dict:
    return {
        "account_id": b.account.id,
        "on": b.on,
        "attendees": [_attendee(a) for a in b.attendees],
        "open_opportunities": [
            OpportunityOut.model_validate(o, from_attributes=True) for o in b.open_opportunities
        ],
        "open_expectations": [
            ExpectationOut.model_validate(e, from_attributes=True) for e in b.open_expectations
        ],
        "open_requests": [
            RequestOut.model_validate(r, from_attributes=True) for r in b.open_requests
        ],
        "spend_this_year": b.spend_this_year,
    }


@bp.get("/accounts/<int:account_id>/briefing")
@bp.auth_required(token_auth)
@bp.input(BriefingQuery, location="query", arg_name="query")
@bp.output(BriefingOut)
@bp.doc(
    summary="The visit briefing: the attendees, their rapport and shared background, the "
    "account's open deals, expectations, requests and this year's spend",
    responses=ERRORS,
)
def get_account_briefing(account_id: int, query: BriefingQuery):
    viewer = caller()
    account = scope.get_account(viewer, account_id)
    ids = briefing.parse_contact_ids(query.contact_ids)
    found = briefing.build(account, ids, viewer=viewer, now=clock.now(), on=query.on)
    return briefing_out(found)
