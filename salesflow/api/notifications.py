"""API: the caller's notifications (API.md), newest first, and marking one read."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from salesflow import clock
from salesflow.api import _encode_cursor, bp, caller, page_params, token_auth
from salesflow.notifications import queries, services
from salesflow.notifications.messages import render
from salesflow.notifications.models import Notification


class NotificationFilter(BaseModel):
    unread: bool = Field(False, description="Only the unread ones.")
    limit: int | None = None
    cursor: str | None = None


class NotificationOut(BaseModel):
    id: int
    kind: str
    message: str = Field(description="In the caller's language.")
    params: dict[str, Any]
    link: str | None = Field(description="The page it is about (a path of the web UI).")
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None


def notification_out(n: Notification) -> dict[str, Any]:
    return {
        "id": n.id,
        "kind": n.kind,
        "message": render(n.kind, n.params),
        "params": n.params,
        "link": n.link,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


@bp.get("/notifications")
@bp.auth_required(token_auth)
@bp.input(NotificationFilter, location="query", arg_name="filters")
@bp.output(NotificationPage)
@bp.doc(
    summary="Your notifications, newest first",
    description="Paginated by `limit` and the opaque `cursor` of the previous page.",
    responses={422: "Invalid limit or cursor"},
)
def list_notifications(filters: NotificationFilter):
    limit, before = page_params()
    rows, more = queries.page(caller(), before=before, limit=limit, unread=filters.unread)
    return {
        "items": [notification_out(n) for n in rows],
        "next_cursor": _encode_cursor(rows[-1].id) if more else None,
    }


@bp.post("/notifications/<int:notification_id>/read")
@bp.auth_required(token_auth)
@bp.output(NotificationOut)
@bp.doc(summary="Mark one of your notifications read", responses={404: "Not one of yours"})
def read_notification(notification_id: int):
    notification = queries.get_notification(caller(), notification_id)
    return notification_out(services.mark_read(notification, now=clock.now()))
