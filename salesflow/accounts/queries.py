"""Scoped reads of accounts for the list page and the API."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.accounts.models import Account, AccountMember
from salesflow.auth import scope
from salesflow.auth.models import User
from salesflow.extensions import db

SORTS = {"name": Account.name, "tier": Account.tier, "updated": Account.updated_at}


@dataclass
class AccountFilters:
    q: str | None = None
    team_id: int | None = None
    tier: str | None = None
    industry: str | None = None
    mine: bool = False
    deleted: bool = False


def list_query(user: User, filters: AccountFilters) -> sa.Select[Any]:
    """The accounts `user` may see (or, for restorers asking for them, may restore), filtered."""
    if filters.deleted and user.role in scope.RESTORERS:
        rule = sa.and_(
            Account.id.in_(scope.visible_account_ids(user, include_deleted=True)),
            Account.deleted_at.is_not(None),
        )
    else:
        rule = scope.visible_accounts(user)
    query = sa.select(Account).where(rule)
    if filters.q:
        query = query.where(Account.name.ilike(f"%{_escape(filters.q)}%", escape="\\"))
    if filters.team_id:
        query = query.where(Account.team_id == filters.team_id)
    if filters.tier:
        query = query.where(Account.tier == filters.tier)
    if filters.industry:
        query = query.where(Account.industry == filters.industry)
    if filters.mine:
        mine = sa.select(AccountMember.account_id).where(AccountMember.user_id == user.id)
        query = query.where(Account.id.in_(mine))
    return query


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode()


def decode_cursor(cursor: str | None) -> list[Any] | None:
    if not cursor:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error):
        return None
    return values if isinstance(values, list) and len(values) == 2 else None


def page(
    query: sa.Select[Any],
    *,
    sort: str = "name",
    descending: bool = False,
    cursor: str | None = None,
    size: int = 50,
) -> tuple[list[Account], str | None]:
    """One page of accounts by keyset on (sort column, id); the team and members come along."""
    column = SORTS.get(sort, Account.name)
    after = decode_cursor(cursor)
    if after is not None:
        value, last_id = after
        if sort == "updated":
            try:
                value = datetime.fromisoformat(value)
            except (TypeError, ValueError):  # a tampered cursor: start from the top
                return page(query, sort=sort, descending=descending, size=size)
        bound = sa.literal(value, column.type)
        beyond = column < bound if descending else column > bound
        tie = Account.id < last_id if descending else Account.id > last_id
        query = query.where(sa.or_(beyond, sa.and_(column == bound, tie)))
    order = (column.desc(), Account.id.desc()) if descending else (column, Account.id)
    rows = list(
        db.session.scalars(
            query.options(
                so.joinedload(Account.team),
                so.selectinload(Account.members).joinedload(AccountMember.user),
            )
            .order_by(*order)
            .limit(size + 1)
        ).unique()
    )
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = None
    if more:
        last = rows[-1]
        raw = getattr(last, column.key)
        next_cursor = encode_cursor([getattr(raw, "value", raw), last.id])
    return rows, next_cursor


def industries(user: User) -> list[str]:
    """The industries of the accounts `user` sees, for the filter."""
    return list(
        db.session.scalars(
            sa.select(Account.industry)
            .where(scope.visible_accounts(user), Account.industry.is_not(None))
            .distinct()
            .order_by(Account.industry)
            .limit(200)
        )
    )
