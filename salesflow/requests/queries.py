"""Scoped reads of requests between our people, for the pages, the API, the bell and My day.
Every read starts from scope.visible_requests (one visibility rule)."""

import base64
import binascii
from collections.abc import Collection
from datetime import date
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from salesflow import scope
from salesflow.auth.models import User
from salesflow.errors import NotFound, ValidationFailed
from salesflow.extensions import db
from salesflow.requests.models import (
    OPEN_STATUSES,
    RATEABLE,
    InternalRequest,
    RequestChange,
    Status,
)

SIDES = ("mine", "asked_by_me")
_LOADED = (
    so.joinedload(InternalRequest.account),
    so.joinedload(InternalRequest.opportunity),
    so.joinedload(InternalRequest.requester),
    so.joinedload(InternalRequest.assignee),
)


def visible(user: User) -> sa.ColumnElement[bool]:
    """A WHERE clause on InternalRequest: those `user` may see (scope.visible_requests)."""
    return scope.visible_requests(user)


def get_visible(user: User, request_id: int) -> InternalRequest:
    """The request with its account, deal and people if `user` may see it, else NotFound."""
    request = db.session.scalar(
        sa.select(InternalRequest)
        .where(InternalRequest.id == request_id, visible(user))
        .options(*_LOADED)
    )
    if request is None:
        raise NotFound()
    return request


def _closed() -> sa.ColumnElement[int]:
    """0 for an open request, 1 for a closed one: open ones come first."""
    return sa.case((InternalRequest.status.in_(sorted(OPEN_STATUSES)), 0), else_=1)


def encode_cursor(request: InternalRequest) -> str:
    """Where the next page starts: after this request in the inbox's order."""
    closed = 0 if request.is_open else 1
    raw = f"{closed}|{request.needed_by.isoformat()}|{request.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, date, int]:
    """The (closed, needed_by, id) of the last request of the previous page; anything else is a
    ValidationFailed on `cursor`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        closed, day, last = raw.split("|")
        found = (int(closed), date.fromisoformat(day), int(last))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        found = None
    if found is None or found[0] not in (0, 1) or not 0 < found[2] < 2**31:
        raise ValidationFailed(fields={"cursor": [str(_l("Not a cursor from this list."))]})
    return found


def _statuses(status: Any) -> list[Status] | None:
    if status is None:
        return None
    if isinstance(status, str):
        return [Status(status)]
    return [Status(s) for s in status]


def inbox_query(
    user: User,
    *,
    side: str | None = "mine",
    status: Status | str | Collection[Status] | None = None,
    assignee_id: int | None = None,
    requester_id: int | None = None,
) -> sa.Select[Any]:
    """The requests `user` sees, in the inbox's order — open first, then by the date needed:
    `side` "mine" those asked of `user`, "asked_by_me" those `user` asked, None every visible
    one; optionally of some statuses, of one assignee or one requester."""
    query = sa.select(InternalRequest).where(visible(user))
    if side == "mine":
        query = query.where(InternalRequest.assignee_id == user.id)
    elif side == "asked_by_me":
        query = query.where(InternalRequest.requester_id == user.id)
    if (statuses := _statuses(status)) is not None:
        query = query.where(InternalRequest.status.in_(sorted(statuses)))
    if assignee_id is not None:
        query = query.where(InternalRequest.assignee_id == assignee_id)
    if requester_id is not None:
        query = query.where(InternalRequest.requester_id == requester_id)
    return query.order_by(_closed(), InternalRequest.needed_by, InternalRequest.id)


def page(
    query: sa.Select[Any], *, cursor: str | None = None, limit: int = 50
) -> tuple[list[InternalRequest], str | None]:
    """One page of an inbox_query by keyset (no OFFSET): the requests and the cursor of the
    next page (None on the last)."""
    if cursor:
        closed, day, last = decode_cursor(cursor)
        after = sa.tuple_(_closed(), InternalRequest.needed_by, InternalRequest.id) > sa.tuple_(
            sa.literal(closed), sa.literal(day), sa.literal(last)
        )
        query = query.where(after)
    rows = list(db.session.scalars(query.options(*_LOADED).limit(limit + 1)).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1]) if more and rows else None)


def inbox(
    user: User,
    *,
    side: str = "mine",
    status: Status | str | Collection[Status] | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[InternalRequest], str | None]:
    """A page of `user`'s inbox (inbox_query, page): the requests and the next page's cursor."""
    return page(inbox_query(user, side=side, status=status), cursor=cursor, limit=limit)


def _due_ratings() -> sa.ColumnElement[bool]:
    return sa.and_(
        InternalRequest.status.in_(sorted(RATEABLE)),
        InternalRequest.rating.is_(None),
        InternalRequest.rating_dismissed.is_(False),
    )


def due_ratings(user: User) -> list[InternalRequest]:
    """The requests `user` asked that were done or declined and are not rated or dismissed yet,
    the latest first."""
    query = (
        sa.select(InternalRequest)
        .where(InternalRequest.requester_id == user.id, _due_ratings())
        .options(*_LOADED)
        .order_by(InternalRequest.done_at.desc(), InternalRequest.id.desc())
    )
    return list(db.session.scalars(query).unique())


def waiting_for(user: User) -> list[InternalRequest]:
    """The open requests asked of `user`, the soonest needed first (My day, "Waiting for me")."""
    query = (
        sa.select(InternalRequest)
        .where(
            InternalRequest.assignee_id == user.id,
            InternalRequest.status.in_(sorted(OPEN_STATUSES)),
        )
        .options(*_LOADED)
        .order_by(InternalRequest.needed_by, InternalRequest.id)
    )
    return list(db.session.scalars(query).unique())


def waiting_count(user: User) -> int:
    """What waits for `user` (the bell, the navbar): open requests asked of them plus ratings
    they owe. One query."""
    asked = sa.and_(
        InternalRequest.assignee_id == user.id, InternalRequest.status.in_(sorted(OPEN_STATUSES))
    )
    owed = sa.and_(InternalRequest.requester_id == user.id, _due_ratings())
    count = sa.select(sa.func.count(InternalRequest.id)).where(sa.or_(asked, owed))
    return int(db.session.scalar(count) or 0)


def _open(where: sa.ColumnElement[bool], user: User | None) -> list[InternalRequest]:
    query = sa.select(InternalRequest).where(
        where, InternalRequest.status.in_(sorted(OPEN_STATUSES))
    )
    if user is not None:
        query = query.where(visible(user))
    query = query.options(*_LOADED).order_by(InternalRequest.needed_by, InternalRequest.id)
    return list(db.session.scalars(query).unique())


def open_for_deal(deal_id: int, user: User | None = None) -> list[InternalRequest]:
    """A deal's open requests, the soonest needed first (those `user` may see, when given)."""
    return _open(InternalRequest.opportunity_id == deal_id, user)


def open_for_account(account_id: int, user: User | None = None) -> list[InternalRequest]:
    """An account's open requests, the soonest needed first (those `user` may see, when given)."""
    return _open(InternalRequest.account_id == account_id, user)


def history(request_id: int) -> list[RequestChange]:
    """The request's status changes, oldest first, with who made each."""
    return list(
        db.session.scalars(
            sa.select(RequestChange)
            .where(RequestChange.request_id == request_id)
            .options(so.joinedload(RequestChange.actor))
            .order_by(RequestChange.at, RequestChange.id)
        )
    )
