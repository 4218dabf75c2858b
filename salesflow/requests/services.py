"""Requests between our people: every write (STYLE.md rule 4). Asking, the small state machine of
the person asked and the requester, the rating, and the decision requests made and closed by the
deal's approvals. Each change records a RequestChange (the request's history) and the audit
trail, and tells the other side.

Lead times count the company's working days (clock.working_days_between): asking with less than
the kind's minimum is a *rush*, allowed with a written reason and counted against the requester.
"""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from salesflow import clock, links, scope
from salesflow.audit import services as audit
from salesflow.auth.models import User
from salesflow.errors import Conflict, Forbidden, ValidationFailed
from salesflow.extensions import db
from salesflow.notifications import services as notifications
from salesflow.opportunities.models import Opportunity, TriangleRole
from salesflow.requests import kinds
from salesflow.requests.models import (
    DECISION,
    OPEN_STATUSES,
    RATEABLE,
    InternalRequest,
    RequestChange,
    Status,
)
from salesflow.validation import Errors, add, day, is_id, require_version, text

S = Status
# Who may move a request from which status to which (issue 16): the person asked works it, the
# requester may withdraw it while it is open. Decision requests are closed by deciding only.
TRANSITIONS: dict[str, dict[Status, tuple[Status, ...]]] = {
    "assignee": {
        S.open: (S.accepted, S.declined),
        S.accepted: (S.in_progress, S.on_hold, S.done, S.declined),
        S.in_progress: (S.on_hold, S.done, S.declined),
        S.on_hold: (S.in_progress, S.done, S.declined),
    },
    "requester": {status: (S.cancelled,) for status in sorted(OPEN_STATUSES)},
}
REASON_REQUIRED = {
    S.on_hold: _l("Say why it is on hold."),
    S.declined: _l("Say why it is declined."),
    S.cancelled: _l("Say why it is cancelled."),
    S.done: _l("Say what was delivered."),
}
EDITABLE = ("title", "details", "needed_by", "rush_reason")
# The deal's seat that serves a kind by default (the SR, the FR for a delivery plan).
SERVED_BY = {"delivery_plan": TriangleRole.FR}


def lead_days(asked_on: date, needed_by: date) -> int:
    """The lead time given: working days after the day it is asked up to the day it is needed."""
    return clock.working_days_between(asked_on, needed_by)


def is_rush(kind: str, asked_on: date, needed_by: date) -> bool:
    """Asked with less lead time than the kind's minimum."""
    return lead_days(asked_on, needed_by) < kinds.min_lead_days(kind)


def decision_assignee(team_id: int | None) -> User | None:
    """Whom a decision of a team is asked of: its named director when active, else its first
    active director (scope.request_directors); None when the team has none."""
    from salesflow.teams.models import Team

    named = db.session.scalar(sa.select(Team.director_id).where(Team.id == team_id))
    people = list(
        db.session.scalars(
            sa.select(User).where(scope.request_directors(team_id)).order_by(User.id)
        )
    )
    return next((u for u in people if u.id == named), people[0] if people else None)


def default_assignee(kind: str, deal: Opportunity | None) -> User | None:
    """Whom a request goes to when the requester names nobody: the deal's SR (its FR for a
    delivery plan); a decision goes to the deal's team's director."""
    if deal is None:
        return None
    if kind == DECISION:
        return decision_assignee(deal.account.team_id)
    seat = SERVED_BY.get(kind, TriangleRole.SR)
    return next((r.user for r in deal.roles if r.role == seat and r.user.active), None)


def link(request: InternalRequest) -> str:
    """Where a message about a request leads: the request's page (its deal's, or its account's,
    where the requests' pages are not served)."""
    if _has_pages():
        return links.path("requests.detail", request_id=request.id)
    if request.opportunity_id is not None:
        return links.path("opportunities.detail", opportunity_id=request.opportunity_id)
    return links.path("accounts.detail", account_id=request.account_id)


def _notify(request: InternalRequest, people: list[User], kind: str, now: datetime, **params):
    params.update(title=request.title, kind=request.kind, account=request.account.name)
    notifications.notify(people, kind, params=params, link=link(request), now=now)


def _has_pages() -> bool:
    """Whether the requests' pages are served (their blueprint), for the links of messages."""
    from flask import current_app

    return "requests.detail" in current_app.view_functions


def _record(request: InternalRequest, before: Status | None, comment: Any, actor, now) -> None:
    db.session.add(
        RequestChange(
            request_id=request.id,
            from_status=before,
            to_status=request.status,
            comment=comment,
            actor_id=actor.id,
            at=now,
        )
    )


# Asking -------------------------------------------------------------------------------------


def _account(user: User, account_id: Any):
    if not is_id(account_id):
        raise ValidationFailed(fields={"account_id": [str(_l("Choose an account."))]})
    return scope.get_account(user, account_id)  # NotFound outside the asker's scope


def _deal(account, opportunity_id: Any, errors: Errors) -> Opportunity | None:
    if opportunity_id is None:
        return None
    deal = db.session.get(Opportunity, opportunity_id) if is_id(opportunity_id) else None
    if deal is None or deal.deleted_at is not None or deal.account_id != account.id:
        add(errors, "opportunity_id", _l("Choose a deal of this account."))
        return None
    return deal


def _assignee(user, account, kind, deal, assignee_id, errors: Errors) -> User | None:
    if assignee_id is None:
        assignee = default_assignee(kind, deal) if kind is not None else None
        if assignee is None:
            add(errors, "assignee_id", _l("Choose whom to ask."))
        return assignee
    assignee = db.session.get(User, assignee_id) if is_id(assignee_id) else None
    if assignee is None or not assignee.active:
        add(errors, "assignee_id", _l("Choose an active colleague."))
    elif assignee.id == user.id:
        add(errors, "assignee_id", _l("Ask someone other than yourself."))
    elif not scope.can_see_account(assignee, account):
        message = _l("%(name)s cannot see this account.", name=assignee.name)
        add(errors, "assignee_id", message)
    else:
        return assignee
    return None


def _needed_by(value: Any, today: date, errors: Errors) -> date | None:
    needed_by = day(value, "needed_by", errors, required=_l("Say when it is needed."))
    if needed_by is not None and needed_by < today:
        add(errors, "needed_by", _l("The date is in the past."))
        return None
    return needed_by


def _rush_reason(kind, today, needed_by, value, errors: Errors) -> tuple[bool, str | None]:
    reason = text(value, "rush_reason", errors, column=InternalRequest.rush_reason, multiline=True)
    if kind is None or needed_by is None or not is_rush(kind, today, needed_by):
        return False, None
    if reason is None and "rush_reason" not in errors:
        add(
            errors,
            "rush_reason",
            _l(
                "%(kind)s needs %(days)d working days; to ask for it sooner, say why it is a rush.",
                kind=kinds.label(kind),
                days=kinds.min_lead_days(kind),
            ),
        )
    return True, reason


def ask(
    user: User,
    *,
    kind: Any,
    title: Any,
    details: Any = None,
    account_id: Any,
    opportunity_id: Any = None,
    assignee_id: Any = None,
    needed_by: Any,
    rush_reason: Any = None,
    now: datetime | None = None,
) -> InternalRequest:
    """Ask a colleague for a service about an account the asker sees (and one of its deals):
    the person asked must be active and see the account (by default the deal's SR, or FR for a
    delivery plan); less than the kind's lead time is a rush and needs its reason. Decisions are
    asked through the deal (ask_decision). Raises NotFound (account), ValidationFailed (every
    problem at once)."""
    now = now or clock.now()
    account = _account(user, account_id)
    errors: Errors = {}
    if kind not in kinds.service_kinds():
        add(errors, "kind", _l("Choose a kind of request."))
        kind = None
    title = text(title, "title", errors, column=InternalRequest.title, required=_l("Add a title."))
    details = text(details, "details", errors, column=InternalRequest.details, multiline=True)
    deal = _deal(account, opportunity_id, errors)
    assignee = _assignee(user, account, kind, deal, assignee_id, errors)
    today = clock.today(now)
    due = _needed_by(needed_by, today, errors)
    rush, reason = _rush_reason(kind, today, due, rush_reason, errors)
    if errors:
        raise ValidationFailed(fields=errors)
    request = InternalRequest(
        kind=kind,
        title=title,
        details=details,
        account=account,
        opportunity_id=deal.id if deal else None,
        requester=user,
        assignee=assignee,
        needed_by=due,
        rush=rush,
        rush_reason=reason,
        status=Status.open,
        created_at=now,
    )
    return _created(request, user, now)


def _created(request: InternalRequest, user: User, now: datetime) -> InternalRequest:
    db.session.add(request)
    db.session.flush()
    _record(request, None, None, user, now)
    fields = ("kind", "title", "details", "opportunity_id", "assignee_id", "needed_by", "rush")
    changes = {f: (None, v) for f in fields if (v := getattr(request, f)) is not None}
    audit.record(request, "create", changes, actor=user, now=now, account_id=request.account_id)
    if not request.is_decision:  # a decision asked is told by the deal's decisions
        _notify(request, [request.assignee], "request_asked", now, asker=user.name)
    return request


def update_request(
    user: User, request: InternalRequest, data: dict[str, Any], *, now: datetime | None = None
) -> InternalRequest:
    """Change the title, details, date needed or rush reason of an open request (its requester
    only; the lead time is counted again from the day it was asked). Raises Forbidden, Conflict
    (stale `version`, or the request is no longer open), ValidationFailed."""
    now = now or clock.now()
    if user.id != request.requester_id or request.is_decision:
        raise Forbidden(_l("Only whoever asked may change the request."))
    require_version(request, data)
    if not request.is_open:
        raise Conflict(_l("The request is closed; it can no longer change."))
    errors: Errors = {}
    clean: dict[str, Any] = {}
    if "title" in data:
        required = _l("Add a title.")
        clean["title"] = text(
            data["title"], "title", errors, column=InternalRequest.title, required=required
        )
    if "details" in data:
        column = InternalRequest.details
        clean["details"] = text(data["details"], "details", errors, column=column, multiline=True)
    asked_on = clock.today(request.created_at)
    due = _needed_by(data.get("needed_by", request.needed_by), clock.today(now), errors)
    if "needed_by" in data:
        clean["needed_by"] = due
    reason = data.get("rush_reason", request.rush_reason)
    clean["rush"], clean["rush_reason"] = _rush_reason(request.kind, asked_on, due, reason, errors)
    if errors:
        raise ValidationFailed(fields=errors)
    changes = audit.apply_changes(request, clean, (*EDITABLE, "rush"))
    db.session.flush()
    audit.record(request, "update", changes, actor=user, now=now, account_id=request.account_id)
    return request


# The state machine ----------------------------------------------------------------------------


def _sides(user: User, request: InternalRequest) -> list[str]:
    sides = []
    if user.id == request.assignee_id:
        sides.append("assignee")
    if user.id == request.requester_id:
        sides.append("requester")
    return sides


def allowed(user: User, request: InternalRequest) -> list[str]:
    """The statuses `user` may move the request to now (the buttons of its page), in the order
    of TRANSITIONS; none for a decision request (it is closed by deciding on the deal)."""
    if request.is_decision:
        return []
    found: list[str] = []
    for side in _sides(user, request):
        for to in TRANSITIONS[side].get(request.status, ()):
            if to.value not in found:
                found.append(to.value)
    return found


def _refusal(user: User, request: InternalRequest, to: Status) -> str:
    if request.is_decision:
        return _("A decision is closed by deciding it on the deal.")
    return _(
        "This request cannot go from %(before)s to %(after)s by you.",
        before=status_label(request.status),
        after=status_label(to),
    )


STATUS_NAMES = {
    S.open: _l("Open"),
    S.accepted: _l("Accepted"),
    S.in_progress: _l("In progress"),
    S.on_hold: _l("On hold"),
    S.done: _l("Done"),
    S.declined: _l("Declined"),
    S.cancelled: _l("Cancelled"),
}


def status_label(status: Status | str) -> str:
    """A status's name in the reader's language."""
    return str(STATUS_NAMES[Status(status)])


def _target(to: Any) -> Status:
    try:
        return Status(to)
    except ValueError:
        raise ValidationFailed(fields={"to": [str(_l("Not one of the statuses."))]}) from None


def transition(
    user: User,
    request: InternalRequest,
    to: Any,
    comment: Any,
    version: Any,
    *,
    now: datetime | None = None,
) -> InternalRequest:
    """Move a request along TRANSITIONS (a reason for a hold, a decline or a cancellation; what
    was delivered for done) and tell the other side. Raises ValidationFailed (unknown status,
    missing words), Conflict (a stale `version`, or a move `user` may not make now)."""
    now = now or clock.now()
    target = _target(to)
    require_version(request, {"version": version})
    if target.value not in allowed(user, request):
        raise Conflict(_refusal(user, request, target))
    errors: Errors = {}
    words = text(
        comment,
        "comment",
        errors,
        column=RequestChange.comment,
        multiline=True,
        required=REASON_REQUIRED.get(target),
    )
    if errors:
        raise ValidationFailed(fields=errors)
    before = request.status
    _apply(request, target, words, now)
    db.session.flush()
    _record(request, before, words, user, now)
    audit.record(
        request,
        "update",
        {"status": (before, target)},
        actor=user,
        now=now,
        account_id=request.account_id,
    )
    other = request.requester if user.id == request.assignee_id else request.assignee
    _notify(request, [other], "request_changed", now, actor=user.name, status=target.value)
    return request


def _apply(request: InternalRequest, target: Status, words: str | None, now: datetime) -> None:
    request.status = target
    if target == S.accepted and request.accepted_at is None:
        request.accepted_at = now
    if target in RATEABLE:
        request.done_at = now
    if target == S.done:
        request.delivered = words
    elif target in REASON_REQUIRED:
        request.reason = words


# Rating ---------------------------------------------------------------------------------------


def _check_rateable(user: User, request: InternalRequest) -> None:
    if user.id != request.requester_id:
        raise Forbidden(_l("Only whoever asked rates the request."))
    if request.status not in RATEABLE:
        raise Conflict(_l("A request is rated once it is done or declined."))
    if request.rating is not None:
        raise Conflict(_l("This request is already rated."))


def rate(
    user: User, request: InternalRequest, rating: Any, comment: Any, *, now: datetime | None = None
) -> InternalRequest:
    """The requester rates a done or declined request 1 to 5, once, with an optional comment;
    the person asked is told. Raises Forbidden, Conflict (not closed that way, already rated),
    ValidationFailed."""
    now = now or clock.now()
    _check_rateable(user, request)
    errors: Errors = {}
    if type(rating) is not int or not 1 <= rating <= 5:
        add(errors, "rating", _l("Rate from 1 to 5."))
    words = text(comment, "comment", errors, column=InternalRequest.rating_comment, multiline=True)
    if errors:
        raise ValidationFailed(fields=errors)
    changes = audit.apply_changes(
        request,
        {"rating": rating, "rating_comment": words, "rating_at": now},
        ("rating", "rating_comment", "rating_at"),
    )
    db.session.flush()
    audit.record(request, "update", changes, actor=user, now=now, account_id=request.account_id)
    _notify(request, [request.assignee], "request_rated", now, rater=user.name, rating=rating)
    return request


def dismiss_rating(
    user: User, request: InternalRequest, *, now: datetime | None = None
) -> InternalRequest:
    """The requester declines to rate: the request is no longer asked about (bell, My day).
    Raises Forbidden, Conflict."""
    now = now or clock.now()
    _check_rateable(user, request)
    if not request.rating_dismissed:
        request.rating_dismissed = True
        db.session.flush()
        changes = {"rating_dismissed": (False, True)}
        audit.record(request, "update", changes, actor=user, now=now, account_id=request.account_id)
    return request


# Decision requests (PLAYBOOKS.md, Gates: `approval`) ---------------------------------------------


def ask_decision(
    user: User,
    deal: Opportunity,
    *,
    stage_key: str,
    gate_key: str,
    title: str,
    comment: str | None,
    now: datetime,
) -> InternalRequest | None:
    """The request made when someone asks for a deal's decision point: to the team's director,
    needed within the decision kind's lead time. None when the team has no active director (the
    decision stays on the deal for an admin). Called by opportunities.services.decide."""
    assignee = decision_assignee(deal.account.team_id)
    if assignee is None:
        return None
    request = InternalRequest(
        kind=DECISION,
        title=title[: InternalRequest.title.type.length],
        details=comment,
        account=deal.account,
        opportunity_id=deal.id,
        stage_key=stage_key,
        gate_key=gate_key,
        requester=user,
        assignee=assignee,
        needed_by=clock.add_working_days(clock.today(now), kinds.min_lead_days(DECISION)),
        rush=False,
        status=Status.open,
        created_at=now,
    )
    return _created(request, user, now)


def open_decisions(deal_id: int, gate_key: str) -> list[InternalRequest]:
    return list(
        db.session.scalars(
            sa.select(InternalRequest).where(
                InternalRequest.opportunity_id == deal_id,
                InternalRequest.gate_key == gate_key,
                InternalRequest.kind == DECISION,
                InternalRequest.status.in_(sorted(OPEN_STATUSES)),
            )
        )
    )


DECIDED = {"approve": _l("Approved"), "reject": _l("Rejected")}


def close_decision(
    deal: Opportunity, gate_key: str, decision: str, comment: str | None, *, actor, now
) -> list[InternalRequest]:
    """Deciding a decision point (approve or reject) closes its open requests as done, with the
    decision and its comment as what was delivered. The requester is told by the deal's own
    decision message (decisions.announce)."""
    closed = open_decisions(deal.id, gate_key)
    words = str(DECIDED[decision]) + (f": {comment}" if comment else "")
    for request in closed:
        before = request.status
        request.status, request.done_at, request.delivered = S.done, now, words
        db.session.flush()
        _record(request, before, words, actor, now)
        changes = {"status": (before, S.done)}
        audit.record(request, "update", changes, actor=actor, now=now, account_id=deal.account_id)
    return closed


WITHDRAWN = _l("The deal moved on before it was decided.")


def _waits(deal: Opportunity) -> bool:
    return deal.is_open and not deal.is_deleted


def withdraw_decisions(deal: Opportunity, *, actor: User | None, now: datetime) -> None:
    """A deal that left the stage a decision was asked in, closed or was deleted no longer waits
    for that decision: its open decision requests are cancelled (the director's inbox and bell
    stop showing them), by whoever moved the deal. Called by every move (opportunities.moves)
    and by deleting a deal."""
    stale = db.session.scalars(
        sa.select(InternalRequest).where(
            InternalRequest.opportunity_id == deal.id,
            InternalRequest.kind == DECISION,
            InternalRequest.status.in_(sorted(OPEN_STATUSES)),
            InternalRequest.stage_key != deal.stage_key if _waits(deal) else sa.true(),
        )
    ).all()
    for request in stale:
        before, words = request.status, str(WITHDRAWN)
        request.status, request.reason = S.cancelled, words
        db.session.flush()
        who = actor or request.requester
        _record(request, before, words, who, now)
        changes = {"status": (before, S.cancelled)}
        audit.record(request, "update", changes, actor=who, now=now, account_id=deal.account_id)
