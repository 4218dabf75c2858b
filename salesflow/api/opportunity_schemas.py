"""Pydantic shapes of the opportunity endpoints (API.md): the shape check before the rules."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, RootModel, StringConstraints

from salesflow.api.schemas import BodyId, Day, Id, Month, Query, Strict, Version, text
from salesflow.opportunities.models import Approval, ChecklistTick, Opportunity, StageChange

Key = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
VERSION = "The `version` you read: without it the move is a 422, a stale one a 409."
ERRORS = {404: "Not found or outside your scope", 422: "Invalid input"}
WRITE_ERRORS = {**ERRORS, 403: "Not allowed", 409: "Stale version"}
MoveReason = text(StageChange.reason, required=True)
OverrideReason = text(StageChange.reason)
GATES_UNMET = (
    'Invalid input, or {"error": {"code": "gates_unmet", "message": ..., "unmet": '
    '[{"gate", "message", "hint"}]}} when an exit gate does not hold'
)


class _Fields(Strict):
    amount: Decimal | None = Field(None, description="Decimal string or number, ≥ 0, 2 decimals.")
    currency: str | None = Field(None, description="ISO 4217 (default: the installation's).")
    expected_close: Day | None = None
    customer_need: text(Opportunity.customer_need) | None = None
    competitors: text(Opportunity.competitors) | None = None


class OpportunityIn(_Fields):
    account_id: BodyId
    name: text(Opportunity.name, required=True)
    playbook: Key = Field(description="A key of GET /playbooks with `active` true.")


class DealContact(BaseModel):
    contact_id: int
    role: str = Field(description="The contact's decision role in this deal.")


class OpportunityPatch(_Fields):
    """Every field optional (PATCH semantics) but `version`, the one you read. The account and
    playbook stay: sending another one is a 422."""

    account_id: BodyId | None = None
    playbook: Key | None = None
    name: text(Opportunity.name, required=True) | None = None
    contacts: list[DealContact] | None = Field(
        None,
        description="Replaces the contacts involved in the deal (current contacts of its "
        "account, each once, with a decision role); [] goes back to the key contacts.",
    )
    version: Version


class OpportunityFilter(BaseModel):
    q: Query | None = None
    team_id: Id | None = None
    owner_id: Id | None = Field(None, description="Who holds the AR seat.")
    close_month: Month | None = Field(None, description="Expected close, YYYY-MM.")
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
    close_reason: str | None = Field(
        description="Won: why, in words. Lost: the note beside the loss reason."
    )
    loss_reason: str | None = Field(
        None, description="Lost: the key of one of the playbook's loss reasons."
    )
    loss_reason_name: dict[str, str] | None = Field(
        None, description="The loss reason's name by language ({en, zh})."
    )
    closed_at: datetime | None
    roles: list[RoleOut]
    version: int
    created_at: datetime
    updated_at: datetime


class PendingDecisionOut(BaseModel):
    """A decision asked and not answered yet: a request of kind `decision` (API.md, Requests
    between our people), closed by POST /opportunities/{id}/approvals."""

    id: int = Field(description="The decision request's id (GET /requests/{id}).")
    kind: Literal["decision"]
    status: Literal["open"]
    stage: str
    gate: str
    title: dict[str, str] = Field(description="The decision point's name by language ({en, zh}).")
    account_id: int
    opportunity_id: int
    requester_id: int
    created_at: datetime
    details: str | None = Field(description="What the requester wrote with the request.")


class OpportunityDetailOut(OpportunityOut):
    pending_decisions: list[PendingDecisionOut] = Field(
        description="Decisions asked of the team's director on this deal, not answered yet."
    )
    contacts: list[DealContact] = Field(
        description="The customer contacts involved in the deal with their role in it; when "
        "none was set, the account's key contacts with their account-level role."
    )


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
    override_reason: OverrideReason | None = Field(
        None, description="Directors and admins: unmet gates."
    )
    version: Version = Field(description=VERSION)


class BackIn(Strict):
    to_stage: Key
    reason: MoveReason
    version: Version = Field(description=VERSION)


class CloseIn(Strict):
    status: Literal["won", "lost"]
    reason: text(Opportunity.close_reason) | None = Field(
        None,
        description="Required when lost: a loss reason's key, or its name in English or Chinese "
        "(taken as that reason), or any other words (taken as `other`, the words as its note). "
        "Won: why, optional.",
    )
    note: text(Opportunity.close_reason) | None = Field(
        None, description="Lost: a note beside the reason; required for `other`."
    )
    override_reason: OverrideReason | None = Field(
        None, description="Directors and admins: unmet gates."
    )
    version: Version = Field(description=VERSION)


class ReopenIn(Strict):
    reason: MoveReason
    version: Version = Field(description=VERSION)


class TickIn(Strict):
    stage: Key = Field(description="The current stage.")
    item: Key
    evidence: text(ChecklistTick.evidence, required=True) = Field(
        description="What proves it: a document, a link, a note."
    )


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
    comment: text(Approval.comment) | None = Field(None, description="Required when rejecting.")


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
