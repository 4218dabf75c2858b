"""API: interactions, the contact history (see API.md)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from salesflow import clock, scope
from salesflow.api import bp, caller, paginate, token_auth
from salesflow.api.schemas import BodyId, Day, Id, Moment, Strict, Version, provided, text
from salesflow.interactions import queries, services
from salesflow.interactions.models import Interaction, Kind
from salesflow.key_accounts import spend_split

ERRORS = {404: "Not found or outside your scope", 422: "Invalid input"}
Ids = Annotated[list[BodyId], Field(max_length=200)]
OPPORTUNITY = Field(
    None, description="The deal it was about: an opportunity of the same account, or null."
)
SpendKind = Literal["meal", "gift", "visit", "event", "travel", "other"]
SPEND_KIND = "What the cost bought; null: from the kind (meal, event, visit, else other)."
SPEND = (
    "Amounts per customer attendee, adding up to the cost; empty or null: the cost split "
    "equally among the attendees."
)


class ShareIn(Strict):
    contact_id: BodyId = Field(description="One of the contact's customer attendees.")
    amount: Decimal = Field(description="Decimal string or number, ≥ 0, 2 decimals.")


class ShareOut(BaseModel):
    contact_id: int
    amount: str


OCCURRED_AT = "ISO 8601 with offset, e.g. 2026-11-20T10:00:00+08:00 (a naive time is a 422)."


class _Fields(Strict):
    opportunity_id: BodyId | None = OPPORTUNITY
    kind: Kind | None = None
    occurred_at: Moment | None = Field(None, description=OCCURRED_AT)
    summary: text(Interaction.summary, required=True) | None = Field(
        None, description="What happened; required."
    )
    outcome: text(Interaction.outcome) | None = None
    participant_ids: Ids | None = Field(None, description="Our users; default: the caller.")
    contact_ids: Ids | None = Field(None, description="Current contacts of the account.")
    next_step: text(Interaction.next_step) | None = None
    next_step_due: Day | None = Field(None, description="YYYY-MM-DD; needs a next_step.")
    cost: Decimal | None = Field(None, description="Decimal string or number, ≥ 0, 2 decimals.")
    spend_kind: SpendKind | None = Field(None, description=SPEND_KIND)
    spend: Annotated[list[ShareIn], Field(max_length=200)] | None = Field(None, description=SPEND)


class InteractionIn(_Fields):
    account_id: BodyId
    kind: Kind
    occurred_at: Moment = Field(description=OCCURRED_AT)
    summary: text(Interaction.summary, required=True) = Field(description="What happened.")


class InteractionPatch(_Fields):
    """Every field optional (PATCH semantics) but `version`, the one you read."""

    account_id: BodyId | None = None
    version: Version


class DoneIn(Strict):
    version: Version


class RescheduleIn(Strict):
    due: Day = Field(description="The new due day of the next step: today or later, YYYY-MM-DD.")
    version: Version


class InteractionFilter(BaseModel):
    account_id: Id | None = None
    contact_id: Id | None = None
    mine: bool = False
    since: Moment | None = None
    until: Moment | None = None
    limit: int | None = None
    cursor: str | None = None


class InteractionOut(BaseModel):
    id: int
    account_id: int
    opportunity_id: int | None
    occurred_at: datetime
    kind: str
    summary: str
    outcome: str | None
    participant_ids: list[int]
    contact_ids: list[int]
    next_step: str | None
    next_step_due: date | None
    next_step_done_at: datetime | None
    cost: str | None
    spend_kind: str | None
    spend: list[ShareOut]
    owner_id: int
    deleted_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class InteractionPage(BaseModel):
    items: list[InteractionOut]
    next_cursor: str | None


def interaction_out(interaction: Interaction) -> dict[str, Any]:
    columns = (
        "id",
        "account_id",
        "occurred_at",
        "kind",
        "summary",
        "outcome",
        "next_step",
        "next_step_due",
        "next_step_done_at",
        "owner_id",
        "deleted_at",
        "version",
        "created_at",
        "updated_at",
    )
    return {
        **{c: getattr(interaction, c) for c in columns},
        "opportunity_id": interaction.opportunity_id,
        "participant_ids": sorted(u.id for u in interaction.participants),
        "contact_ids": sorted(c.id for c in interaction.attendees),
        "cost": None if interaction.cost is None else str(interaction.cost),
        "spend_kind": interaction.spend_kind,
        "spend": spend_split.shares_out(interaction),
    }


@bp.get("/interactions")
@bp.auth_required(token_auth)
@bp.input(InteractionFilter, location="query", arg_name="filters")
@bp.output(InteractionPage)
@bp.doc(
    summary="Contact history you may see, by id; filter by account_id, contact_id, mine "
    "(logged by or with you), since/until (occurred_at, ISO 8601 with offset)",
    responses=ERRORS,
)
def list_interactions(filters: InteractionFilter):
    if filters.account_id is not None:
        scope.get_account(caller(), filters.account_id)
    query = queries.list_query(
        caller(),
        account_id=filters.account_id,
        contact_id=filters.contact_id,
        mine=filters.mine,
        since=filters.since,
        until=filters.until,
    )
    return paginate(query, Interaction.id, interaction_out)


@bp.post("/interactions")
@bp.auth_required(token_auth)
@bp.input(InteractionIn, location="json", arg_name="data")
@bp.output(InteractionOut, status_code=201)
@bp.doc(
    summary="Log a contact with a customer",
    responses={**ERRORS, 409: "Too many saves at the same moment: nothing saved, send it again"},
)
def create_interaction(data: InteractionIn):
    interaction = services.log_interaction(provided(data), actor=caller(), now=clock.now())
    return interaction_out(interaction), 201


@bp.get("/interactions/<int:interaction_id>")
@bp.auth_required(token_auth)
@bp.output(InteractionOut)
@bp.doc(summary="One interaction (directors and admins also see deleted ones)", responses=ERRORS)
def get_interaction(interaction_id: int):
    return interaction_out(scope.get_interaction(caller(), interaction_id, include_deleted=True))


@bp.patch("/interactions/<int:interaction_id>")
@bp.auth_required(token_auth)
@bp.input(InteractionPatch, location="json", arg_name="data")
@bp.output(InteractionOut)
@bp.doc(
    summary="Change an interaction (its owner, participants, director or admin)",
    responses={**ERRORS, 403: "Not allowed", 409: "Stale version"},
)
def update_interaction(interaction_id: int, data: InteractionPatch):
    interaction = scope.get_interaction(caller(), interaction_id)
    services.update_interaction(interaction, provided(data), actor=caller(), now=clock.now())
    return interaction_out(interaction)


@bp.delete("/interactions/<int:interaction_id>")
@bp.auth_required(token_auth)
@bp.output({}, status_code=204)
@bp.doc(
    summary="Soft-delete an interaction (director or admin)",
    responses={**ERRORS, 403: "Not allowed"},
)
def delete_interaction(interaction_id: int):
    interaction = scope.get_interaction(caller(), interaction_id)
    services.delete_interaction(interaction, actor=caller(), now=clock.now())
    return "", 204


@bp.post("/interactions/<int:interaction_id>/restore")
@bp.auth_required(token_auth)
@bp.output(InteractionOut)
@bp.doc(
    summary="Restore a deleted interaction (director or admin)",
    responses={**ERRORS, 403: "Not allowed"},
)
def restore_interaction(interaction_id: int):
    interaction = scope.get_interaction(caller(), interaction_id, include_deleted=True)
    return interaction_out(
        services.restore_interaction(interaction, actor=caller(), now=clock.now())
    )


@bp.post("/interactions/<int:interaction_id>/done")
@bp.auth_required(token_auth)
@bp.input(DoneIn, location="json", arg_name="data")
@bp.output(InteractionOut)
@bp.doc(
    summary="Mark the next step done (send the `version` you read; done twice changes nothing)",
    responses={**ERRORS, 403: "Not allowed", 409: "Stale version"},
)
def complete_next_step(interaction_id: int, data: DoneIn):
    interaction = scope.get_interaction(caller(), interaction_id)
    return interaction_out(
        services.complete_next_step(interaction, provided(data), actor=caller(), now=clock.now())
    )


@bp.post("/interactions/<int:interaction_id>/reschedule")
@bp.auth_required(token_auth)
@bp.input(RescheduleIn, location="json", arg_name="data")
@bp.output(InteractionOut)
@bp.doc(
    summary="Move the open next step to another day, today or later (send the `version` you "
    "read; a past day is a 422)",
    responses={**ERRORS, 403: "Not allowed", 409: "Stale version"},
)
def reschedule_next_step(interaction_id: int, data: RescheduleIn):
    interaction = scope.get_interaction(caller(), interaction_id)
    return interaction_out(
        services.reschedule_next_step(interaction, provided(data), actor=caller(), now=clock.now())
    )
