"""A request's statuses and moves in the reader's language, and when a request is overdue: the
one place the pages read them from."""

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from salesflow.requests import services
from salesflow.requests.models import OPEN_STATUSES, InternalRequest, Status

# The button that moves a request to each status.
MOVE_NAMES = {
    Status.accepted: _l("Accept"),
    Status.in_progress: _l("Start"),
    Status.on_hold: _l("Put on hold"),
    Status.done: _l("Mark as done"),
    Status.declined: _l("Decline"),
    Status.cancelled: _l("Cancel the request"),
}
# What the text given with a move says; these moves need it (requests.services).
MOVE_ASKS = {
    Status.on_hold: _l("Why is it on hold?"),
    Status.done: _l("What was delivered?"),
    Status.declined: _l("Why decline it?"),
    Status.cancelled: _l("Why cancel it?"),
}


# An open request is one nobody has taken on yet: said apart from an open deal ("Open" reads as
# "in progress" in Chinese, which is another status of a request).
NOT_YET_ACCEPTED = _l("Not yet accepted")


def status(value: Status | str) -> str:
    """A status's name (requests.services says them; an open one is not yet accepted)."""
    if Status(value) == Status.open:
        return str(NOT_YET_ACCEPTED)
    return services.status_label(value)


def move_label(current: Status | str, to: Status | str) -> Any:
    """The button's words: going back to work after a hold is resuming, not starting."""
    if Status(to) == Status.in_progress and Status(current) == Status.on_hold:
        return _l("Resume")
    return MOVE_NAMES[Status(to)]


def overdue(request: InternalRequest, today: date) -> bool:
    """Still open after the day it was needed by."""
    return request.is_open and request.needed_by < today


def badge(value: Status | str) -> str:
    """The colour of a status's badge: done green, still open blue, declined or cancelled grey."""
    if Status(value) == Status.done:
        return "text-bg-success"
    return "text-bg-primary" if Status(value) in OPEN_STATUSES else "text-bg-secondary"


def button(to: Status | str) -> str:
    """The colour of a move's button: going ahead green or blue, stopping red, a hold grey."""
    return {
        Status.accepted: "btn-primary",
        Status.in_progress: "btn-primary",
        Status.done: "btn-success",
        Status.declined: "btn-outline-danger",
        Status.cancelled: "btn-outline-danger",
    }.get(Status(to), "btn-outline-secondary")
