"""API: accounts and their account teams (see API.md)."""

from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
import sqlalchemy.orm as so
from pydantic import BaseModel, Field, RootModel

from salesflow import clock, scope
from salesflow.accounts import queries, services
from salesflow.accounts.models import Account, AccountMember, Tier
from salesflow.api import bp, caller, paginate, token_auth
from salesflow.api.schemas import BodyId, Id, Query, Strict, Version, provided, text
from salesflow.extensions import db

ERRORS = {404: "Not found or outside your scope", 422: "Invalid input"}


class _AccountFields(Strict):
    industry: text(Account.industry) | None = None
    region: text(Account.region) | None = None
    tier: Tier | None = None
    parent_id: BodyId | None = None
    address: text(Account.address) | None = None
    website: text(Account.website) | None = None
    notes: text(Account.notes) | None = None


class AccountIn(_AccountFields):
    name: text(Account.name, required=True)
    team_id: BodyId | None = None


class AccountPatch(_AccountFields):
    """Every field optional (PATCH semantics) but `version`, the one you read."""

    name: text(Account.name, required=True) | None = None
    team_id: BodyId | None = None
    version: Version


class AccountFilter(BaseModel):
    q: Query | None = None
    team_id: Id | None = None
    tier: Tier | None = None
    industry: text(Account.industry) | None = None
    mine: bool = False
    deleted: bool = Field(
        False, description="Directors and admins: the deleted accounts they may restore"
    )
    limit: int | None = None
    cursor: str | None = None


class AccountOut(BaseModel):
    id: int
    name: str
    industry: str | None
    region: str | None
    team_id: int
    tier: str
    parent_id: int | None
    address: str | None
    website: str | None
    notes: str | None
    deleted_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class AccountPage(BaseModel):
    items: list[AccountOut]
    next_cursor: str | None


class MemberIn(Strict):
    user_id: BodyId
    role: Literal["AR", "SR", "FR", "sponsor", "member"]


class AccountTeamIn(RootModel[list[MemberIn]]):
    """The whole account team; PUT replaces it."""

    root: list[MemberIn] = Field(max_length=200)


class MemberOut(BaseModel):
    user_id: int
    name: str
    role: str


COLUMNS = (
    "id",
    "name",
    "industry",
    "region",
    "team_id",
    "tier",
    "parent_id",
    "address",
    "website",
    "notes",
    "deleted_at",
    "version",
    "created_at",
    "updated_at",
)


def account_out(account: Account) -> dict[str, Any]:
    return {column: getattr(account, column) for column in COLUMNS}


def team_out(account: Account) -> list[dict[str, Any]]:
    """The account team, its people loaded in the same query."""
    members = db.session.scalars(
        sa.select(AccountMember)
        .where(AccountMember.account_id == account.id)
        .options(so.joinedload(AccountMember.user))
        .order_by(AccountMember.id)
    )
    return [{"user_id": m.user_id, "name": m.user.name, "role": m.role} for m in members]


@bp.get("/accounts")
@bp.auth_required(token_auth)
@bp.input(AccountFilter, location="query", arg_name="filters")
@bp.output(AccountPage)
@bp.doc(
    summary="Accounts you may see; search with q, filter by team, tier, industry, mine",
    description="Paginated by `limit` and the opaque `cursor` of the previous page.",
    responses={422: "Invalid filter, limit or cursor"},
)
def list_accounts(filters: AccountFilter):
    query = queries.list_query(
        caller(),
        queries.AccountFilters(
            q=filters.q,
            team_id=filters.team_id,
            tier=filters.tier,
            industry=filters.industry,
            mine=filters.mine,
            deleted=filters.deleted,
        ),
    )
    return paginate(query, Account.id, account_out)


@bp.post("/accounts")
@bp.auth_required(token_auth)
@bp.input(AccountIn, location="json", arg_name="data")
@bp.output(AccountOut, status_code=201)
@bp.doc(summary="Create an account (in your own team unless you see all)", responses=ERRORS)
def create_account(data: AccountIn):
    account = services.create_account(provided(data), actor=caller(), now=clock.now())
    return account_out(account), 201


@bp.get("/accounts/<int:account_id>")
@bp.auth_required(token_auth)
@bp.output(AccountOut)
@bp.doc(summary="One account (directors and admins also see deleted ones)", responses=ERRORS)
def get_account(account_id: int):
    return account_out(scope.get_account(caller(), account_id, include_deleted=True))


@bp.patch("/accounts/<int:account_id>")
@bp.auth_required(token_auth)
@bp.input(AccountPatch, location="json", arg_name="data")
@bp.output(AccountOut)
@bp.doc(
    summary="Change an account (send the `version` you read)",
    responses={**ERRORS, 403: "Not allowed", 409: "Stale version"},
)
def update_account(account_id: int, data: AccountPatch):
    account = scope.get_account(caller(), account_id)
    services.update_account(account, provided(data), actor=caller(), now=clock.now())
    return account_out(account)


@bp.delete("/accounts/<int:account_id>")
@bp.auth_required(token_auth)
@bp.output({}, status_code=204)
@bp.doc(
    summary="Soft-delete an account (director or admin)", responses={**ERRORS, 403: "Not allowed"}
)
def delete_account(account_id: int):
    account = scope.get_account(caller(), account_id)
    services.delete_account(account, actor=caller(), now=clock.now())
    return "", 204


@bp.post("/accounts/<int:account_id>/restore")
@bp.auth_required(token_auth)
@bp.output(AccountOut)
@bp.doc(
    summary="Restore a deleted account (director or admin)",
    responses={**ERRORS, 403: "Not allowed"},
)
def restore_account(account_id: int):
    account = scope.get_account(caller(), account_id, include_deleted=True)
    return account_out(services.restore_account(account, actor=caller(), now=clock.now()))


@bp.get("/accounts/<int:account_id>/team")
@bp.auth_required(token_auth)
@bp.output(list[MemberOut])
@bp.doc(summary="The account team: iron-triangle roles, sponsor, members", responses=ERRORS)
def get_account_team(account_id: int):
    return team_out(scope.get_account(caller(), account_id))


@bp.put("/accounts/<int:account_id>/team")
@bp.auth_required(token_auth)
@bp.input(AccountTeamIn, location="json", arg_name="members")
@bp.output(list[MemberOut])
@bp.doc(
    summary="Replace the account team",
    responses={**ERRORS, 403: "Not allowed", 409: "Changed by someone else at the same time"},
)
def put_account_team(account_id: int, members: AccountTeamIn):
    account = scope.get_account(caller(), account_id)
    services.set_account_team(
        account, [m.model_dump() for m in members.root], actor=caller(), now=clock.now()
    )
    return team_out(account)
