"""What the request pages show — the inbox, the form to ask, a request with its history and the
moves the reader may make — and the requests other pages list (the account, the deal, My day,
the bell). Every flag and word a template shows is decided here; templates only render."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from salesflow import clock, scope
from salesflow.auth.models import User
from salesflow.errors import ValidationFailed
from salesflow.extensions import db
from salesflow.requests import kinds, services, words
from salesflow.requests import queries as request_queries
from salesflow.requests.forms import TransitionForm
from salesflow.requests.models import DECISION, OPEN_STATUSES, RATEABLE, InternalRequest, Status

ASKED = _l("Asked")  # a request's first line of history
SIDES = {"mine": _l("Asked of me"), "asked_by_me": _l("Asked by me")}
PAGE_SIZE = 25
LISTED = 10  # open requests listed on an account's or a deal's page


@dataclass(frozen=True)
class Row:
    """One request as a line of a list, for `reader`."""

    request: InternalRequest
    kind: str
    status: str
    badge: str  # the status badge's colour
    other: User  # the other side: whom it was asked of, or who asked
    asked_of_me: bool
    overdue: bool
    due_today: bool
    link: str


def row(request: InternalRequest, reader: User, today: date) -> Row:
    asked_of_me = request.assignee_id == reader.id
    return Row(
        request=request,
        kind=kinds.label(request.kind),
        status=words.status(request.status),
        badge=words.badge(request.status),
        other=request.requester if asked_of_me else request.assignee,
        asked_of_me=asked_of_me,
        overdue=words.overdue(request, today),
        due_today=request.is_open and request.needed_by == today,
        link=url_for("requests.detail", request_id=request.id),
    )


def rows(requests: Iterable[InternalRequest], reader: User, now: datetime) -> list[Row]:
    today = clock.today(now)
    return [row(r, reader, today) for r in requests]


# The inbox -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """A tab or a filter: its words, where it goes, whether it is the one shown."""

    label: Any
    url: str
    active: bool


@dataclass
class Inbox:
    side: str
    status: str | None  # None: the open ones; "all"; or one status
    rows: list[Row]
    next_url: str | None
    tabs: list[Choice]
    filters: list[Choice]
    waiting: int  # asked of me and open, plus ratings I owe (the navbar's number)
    figures_url: str | None = None  # the request figures, for those who review the pipeline


def _filters(side: str, status: str | None) -> list[Choice]:
    shown: list[tuple[str | None, Any]] = [(None, _l("Still open")), ("all", _l("All"))]
    shown += [(s.value, words.status(s)) for s in Status if s != Status.open]
    return [
        Choice(label, url_for("requests.index", side=side, status=value), value == status)
        for value, label in shown
    ]


def parse_status(raw: str | None) -> str | None:
    """The inbox's status filter from the query string: a status, "all", or None (open)."""
    return raw if raw == "all" or raw in {s.value for s in Status} else None


def inbox(user: User, now: datetime, *, side: str, status: str | None, cursor: str | None) -> Inbox:
    """The inbox of `user` on one side (asked of me / by me), open first then by the day
    needed, a page at a time."""
    side = side if side in SIDES else "mine"
    statuses: Any = OPEN_STATUSES if status is None else (None if status == "all" else status)
    try:
        found, next_cursor = request_queries.inbox(
            user, side=side, status=statuses, cursor=cursor, limit=PAGE_SIZE
        )
    except ValidationFailed:  # a cursor not from this list: its first page
        found, next_cursor = request_queries.inbox(
            user, side=side, status=statuses, limit=PAGE_SIZE
        )
    next_url = None
    if next_cursor:
        next_url = url_for("requests.index", side=side, status=status, cursor=next_cursor)
    return Inbox(
        side=side,
        status=status,
        rows=rows(found, user, now),
        next_url=next_url,
        tabs=[
            Choice(label, url_for("requests.index", side=key), key == side)
            for key, label in SIDES.items()
        ],
        filters=_filters(side, status),
        waiting=request_queries.waiting_count(user),
        figures_url=(url_for("request_figures.page") if scope.can_review_pipeline(user) else None),
    )


# One request ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """A button the reader may press: the status it moves to, its words, and what its text
    field asks for (None: no text)."""

    to: str
    label: Any
    asks: Any
    required: bool
    button: str  # the button's colour


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    actor: str
    from_status: str | None
    to_status: str
    comment: str | None


@dataclass
class RequestPage:
    request: InternalRequest
    kind: str
    status: str
    badge: str
    overdue: bool
    lead_days: int  # working days from asking to the day needed
    history: list[HistoryLine]
    moves: list[Move]
    transition_form: TransitionForm
    may_rate: bool
    may_dismiss: bool
    decision: Any = None  # requests.decision_part.DecisionPart for a decision request
    back: str = ""

    @property
    def plain_moves(self) -> list[Move]:
        return [m for m in self.moves if m.asks is None]

    @property
    def worded_moves(self) -> list[Move]:
        return [m for m in self.moves if m.asks is not None]


def _moves(user: User, request: InternalRequest) -> list[Move]:
    offered = services.allowed(user, request)
    return [
        Move(
            to=to,
            label=words.move_label(request.status, to),
            asks=words.MOVE_ASKS.get(to),
            required=to in words.MOVE_ASKS,
            button=words.button(to),
        )
        for to in offered
    ]


def may_rate(user: User, request: InternalRequest) -> bool:
    """The requester rates a done or declined request, once."""
    return request.requester_id == user.id and request.status in RATEABLE and request.rating is None


def build(user: User, request: InternalRequest, now: datetime) -> RequestPage:
    """Everything the request page shows `user`, as of `now`."""
    from salesflow.requests import decision_part

    today = clock.today(now)
    changes = request_queries.history(request.id)
    form = TransitionForm()
    form.version.data = str(request.version)
    rating = may_rate(user, request)
    return RequestPage(
        request=request,
        kind=kinds.label(request.kind),
        status=words.status(request.status),
        badge=words.badge(request.status),
        overdue=words.overdue(request, today),
        lead_days=clock.working_days_between(clock.today(request.created_at), request.needed_by),
        history=[
            HistoryLine(
                at=c.at,
                actor=c.actor.name,
                from_status=words.status(c.from_status) if c.from_status else None,
                to_status=words.status(c.to_status) if c.from_status else str(ASKED),
                comment=c.comment,
            )
            for c in changes
        ],
        moves=_moves(user, request),
        transition_form=form,
        may_rate=rating,
        may_dismiss=rating and not request.rating_dismissed,
        decision=decision_part.build(user, request, now) if request.is_decision else None,
        back=url_for("requests.detail", request_id=request.id),
    )


# Other pages: an account's or a deal's open requests, My day, the bell -----------------------


@dataclass
class OpenRequests:
    """The open requests of an account or a deal the reader may see, and where to ask."""

    rows: list[Row]
    more: bool
    ask_url: str | None


def for_account(user: User, account: Any, now: datetime, *, can_ask: bool) -> OpenRequests:
    found = request_queries.open_for_account(account.id, user)
    ask = url_for("requests.new", account_id=account.id) if can_ask else None
    return OpenRequests(rows(found[:LISTED], user, now), len(found) > LISTED, ask)


def for_deal(user: User, deal: Any, now: datetime, *, can_ask: bool) -> OpenRequests:
    found = request_queries.open_for_deal(deal.id, user)
    ask = url_for("requests.new", account_id=deal.account_id, opportunity_id=deal.id)
    return OpenRequests(
        rows(found[:LISTED], user, now), len(found) > LISTED, ask if can_ask else None
    )


@dataclass
class Waiting:
    """What waits for `user` (My day and the bell): the first requests asked of them and still
    open (the soonest needed first; the inbox has the rest), and the requests they asked that
    were done or declined, to rate."""

    requests: list[Row] = field(default_factory=list)
    more: bool = False  # more are waiting than shown: the inbox has them all
    ratings: list[Row] = field(default_factory=list)
    more_ratings: bool = False  # the inbox's "asked by me" has the rest

    @property
    def any(self) -> bool:
        return bool(self.requests or self.ratings)


def waiting(user: User, now: datetime, *, decisions: bool = True) -> Waiting:
    """What waits for `user`; without the decisions asked of them when the page shows those
    in a section of their own (My day)."""
    query = request_queries.inbox_query(user, side="mine", status=OPEN_STATUSES)
    if not decisions:
        query = query.where(InternalRequest.kind != DECISION)
    found, more = request_queries.page(query, limit=LISTED)
    ratings = _due_ratings(user)
    return Waiting(
        rows(found, user, now),
        more is not None,
        rows(ratings[:LISTED], user, now),
        len(ratings) > LISTED,
    )


def _due_ratings(user: User) -> list[InternalRequest]:
    """The first ratings `user` owes, the latest first (queries.due_ratings, a page of it: one
    may owe many)."""
    query = (
        sa.select(InternalRequest)
        .where(InternalRequest.requester_id == user.id, request_queries._due_ratings())
        .options(*request_queries._LOADED)
        .order_by(InternalRequest.done_at.desc(), InternalRequest.id.desc())
        .limit(LISTED + 1)
    )
    return list(db.session.scalars(query).unique())
