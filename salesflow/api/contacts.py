"""API: contacts and the decision chain (see API.md)."""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from salesflow import clock, scope
from salesflow.api import bp, caller, paginate, token_auth
from salesflow.api.schemas import BodyId, Day, Id, Query, Strict, Version, provided, text
from salesflow.contacts import queries, services
from salesflow.contacts.models import Attitude, Contact, DecisionRole, Influence, Level
from salesflow.contacts.queries import ChainNode

ERRORS = {404: "Not found or outside your scope", 422: "Invalid input"}


class ProfileIn(Strict):
    background: text(Contact.background) | None = None
    education: text(Contact.education) | None = None
    hometown: text(Contact.hometown) | None = None
    interests: text(Contact.interests) | None = None
    preferences: text(Contact.preferences) | None = None
    notes: text(Contact.notes) | None = None


class _ContactFields(Strict):
    title: text(Contact.title) | None = None
    department: text(Contact.department) | None = None
    level: Level | None = None
    reports_to_id: BodyId | None = None
    decision_role: DecisionRole | None = None
    influence: Influence | None = None
    attitude: Attitude | None = None
    email: text(Contact.email) | None = None
    phone: text(Contact.phone) | None = None
    profile: ProfileIn | None = None
    left_on: Day | None = None
    government_official: bool | None = None


class ContactIn(_ContactFields):
    account_id: BodyId
    name: text(Contact.name, required=True)


class ContactPatch(_ContactFields):
    """Every field optional (PATCH semantics) but `version`, the one you read."""

    account_id: BodyId | None = None
    name: text(Contact.name, required=True) | None = None
    version: Version


class ContactFilter(BaseModel):
    account_id: Id | None = None
    q: Query | None = None
    limit: int | None = None
    cursor: str | None = None


class ProfileOut(BaseModel):
    background: str | None
    education: str | None
    hometown: str | None
    interests: str | None
    preferences: str | None
    notes: str | None


class ContactOut(BaseModel):
    id: int
    account_id: int
    name: str
    title: str | None
    department: str | None
    level: str | None
    reports_to_id: int | None
    decision_role: str
    influence: str
    attitude: str
    email: str | None
    phone: str | None
    profile: ProfileOut
    left_on: date | None
    government_official: bool
    deleted_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class ContactPage(BaseModel):
    items: list[ContactOut]
    next_cursor: str | None


class TieOut(BaseModel):
    user_id: int
    name: str
    strength: float


class ChainNodeOut(BaseModel):
    id: int
    name: str
    title: str | None
    decision_role: str
    influence: str
    attitude: str
    level: str | None
    ties: list[TieOut]
    reports: list["ChainNodeOut"]


def contact_out(contact: Contact) -> dict[str, Any]:
    columns = (
        "id",
        "account_id",
        "name",
        "title",
        "department",
        "level",
        "reports_to_id",
        "decision_role",
        "influence",
        "attitude",
        "email",
        "phone",
        "left_on",
        "government_official",
        "deleted_at",
        "version",
        "created_at",
        "updated_at",
    )
    return {**{c: getattr(contact, c) for c in columns}, "profile": contact.profile}


def chain_node_out(node: ChainNode) -> dict[str, Any]:
    contact = node.contact
    return {
        "id": contact.id,
        "name": contact.name,
        "title": contact.title,
        "decision_role": contact.decision_role,
        "influence": contact.influence,
        "attitude": contact.attitude,
        "level": contact.level,
        "ties": [{"user_id": u.id, "name": u.name, "strength": s} for u, s in node.ties],
        "reports": [chain_node_out(child) for child in node.children],
    }


@bp.get("/contacts")
@bp.auth_required(token_auth)
@bp.input(ContactFilter, location="query", arg_name="filters")
@bp.output(ContactPage)
@bp.doc(summary="Contacts you may see; filter by account_id, search with q", responses=ERRORS)
def list_contacts(filters: ContactFilter):
    query = queries.list_query(caller(), account_id=filters.account_id, q=filters.q)
    return paginate(query, Contact.id, contact_out)


@bp.post("/contacts")
@bp.auth_required(token_auth)
@bp.input(ContactIn, location="json", arg_name="data")
@bp.output(ContactOut, status_code=201)
@bp.doc(summary="Add a contact to an account", responses={**ERRORS, 403: "Not allowed"})
def create_contact(data: ContactIn):
    fields = services.flatten_profile(provided(data))
    account = scope.get_account(caller(), fields.pop("account_id"))
    contact = services.create_contact(account, fields, actor=caller(), now=clock.now())
    return contact_out(contact), 201


@bp.get("/contacts/<int:contact_id>")
@bp.auth_required(token_auth)
@bp.output(ContactOut)
@bp.doc(summary="One contact (directors and admins also see deleted ones)", responses=ERRORS)
def get_contact(contact_id: int):
    return contact_out(scope.get_contact(caller(), contact_id, include_deleted=True))


@bp.patch("/contacts/<int:contact_id>")
@bp.auth_required(token_auth)
@bp.input(ContactPatch, location="json", arg_name="data")
@bp.output(ContactOut)
@bp.doc(
    summary="Change a contact; left_on marks them as left, null brings them back",
    responses={**ERRORS, 403: "Not allowed", 409: "Stale version"},
)
def update_contact(contact_id: int, data: ContactPatch):
    contact = scope.get_contact(caller(), contact_id)
    fields = services.flatten_profile(provided(data))
    services.update_contact(contact, fields, actor=caller(), now=clock.now())
    return contact_out(contact)


@bp.delete("/contacts/<int:contact_id>")
@bp.auth_required(token_auth)
@bp.output({}, status_code=204)
@bp.doc(
    summary="Soft-delete a contact (director or admin)", responses={**ERRORS, 403: "Not allowed"}
)
def delete_contact(contact_id: int):
    contact = scope.get_contact(caller(), contact_id)
    services.delete_contact(contact, actor=caller(), now=clock.now())
    return "", 204


@bp.post("/contacts/<int:contact_id>/restore")
@bp.auth_required(token_auth)
@bp.output(ContactOut)
@bp.doc(
    summary="Restore a deleted contact (director or admin)",
    responses={**ERRORS, 403: "Not allowed"},
)
def restore_contact(contact_id: int):
    contact = scope.get_contact(caller(), contact_id, include_deleted=True)
    return contact_out(services.restore_contact(contact, actor=caller(), now=clock.now()))


@bp.get("/accounts/<int:account_id>/decision-chain")
@bp.auth_required(token_auth)
@bp.output(list[ChainNodeOut])
@bp.doc(
    summary="The account's current contacts as a tree by reports_to_id, with our live ties",
    responses=ERRORS,
)
def decision_chain(account_id: int):
    account = scope.get_account(caller(), account_id)
    return [chain_node_out(node) for node in queries.decision_chain(account.id, now=clock.now())]
