"""Scoped reads of accounts for the list page and the API: every read starts from
scope.visible_accounts (STYLE.md rule 7); lists page by keyset, never OFFSET or COUNT."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow import scope, validation
from salesflow.accounts.models import Account, AccountMember, Tier
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
    """The accounts `user` may see (or, for restorers asking for them, the deleted accounts they
    may restore), filtered; unordered (page() orders it)."""
    if filters.deleted and scope.can_restore(user):
        rule = sa.and_(
            Account.id.in_(scope.visible_account_ids(user, include_deleted=True)),
            Account.deleted_at.is_not(None),
        )
    else:
        rule = scope.visible_accounts(user)
    query = sa.select(Account).where(rule)
    q = _clean(filters.q)
    if q:
        # ILIKE on PostgreSQL, lower() LIKE lower() on SQLite; CJK text has no case and matches.
        query = query.where(Account.name.ilike(f"%{_escape(q)}%", escape="\\"))
    if filters.team_id:
        query = query.where(Account.team_id == filters.team_id)
    if filters.tier in {t.value for t in Tier}:
        query = query.where(Account.tier == filters.tier)
    industry = _clean(filters.industry)
    if industry:
        query = query.where(Account.industry == industry)
    if filters.mine:
        mine = sa.select(AccountMember.account_id).where(AccountMember.user_id == user.id)
        query = query.where(Account.id.in_(mine))
    return query


def _clean(text: str | None) -> str | None:
    """A search text without NUL (PostgreSQL refuses it in a string literal)."""
    return (text or "").replace("\x00", "").strip() or None


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def encode_cursor(sort: str, descending: bool, value: Any, last_id: int) -> str:
    """An opaque cursor: where the last page ended, and for which order."""
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([sort, descending, getattr(value, "value", value), last_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, sort: str, descending: bool) -> tuple[Any, int] | None:
    """(sort value, id) from a cursor made by encode_cursor for the same order; None for a
    missing, foreign or tampered cursor (the list then starts from the top)."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        made_for, made_desc, value, last_id = json.loads(raw)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
    if made_for != sort or made_desc is not descending:
        return None
    if not validation.is_id(last_id) or not isinstance(value, str):
        return None
    if sort == "updated":
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
        if validation.moment_problem(value):
            return None
    elif sort == "tier" and value not in {t.value for t in Tier}:
        return None
    return value, last_id


def page(
    query: sa.Select[Any],
    *,
    sort: str = "name",
    descending: bool = False,
    cursor: str | None = None,
    size: int = 50,
) -> tuple[list[Account], str | None]:
    """One page of accounts by keyset on (sort column, id), with the team and the account team's
    people loaded in two queries for the whole page (never one per row)."""
    sort = sort if sort in SORTS else "name"
    column = SORTS[sort]
    after = decode_cursor(cursor, sort, descending)
    if after is not None:
        value, last_id = after
        bound = sa.literal(value, column.type)
        beyond = column < bound if descending else column > bound
        tie = Account.id < last_id if descending else Account.id > last_id
        query = query.where(sa.or_(beyond, sa.and_(column == bound, tie)))
    order = (column.desc(), Account.id.desc()) if descending else (column.asc(), Account.id.asc())
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
        next_cursor = encode_cursor(sort, descending, getattr(last, column.key), last.id)
    return rows, next_cursor


def industries(user: User) -> list[str]:
    """The distinct industries of the accounts `user` sees, for the filter select (one indexed
    DISTINCT query, capped)."""
    return list(
        db.session.scalars(
            sa.select(Account.industry)
            .where(scope.visible_accounts(user), Account.industry.is_not(None))
            .distinct()
            .order_by(Account.industry)
            .limit(200)
        )
    )
