"""The caller's notifications: the list with mark-as-read, and the bell's unread count."""

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from salesflow import clock
from salesflow.forms import ButtonForm, local_path, press
from salesflow.notifications import queries, services
from salesflow.notifications.messages import render
from salesflow.requests import pages as request_pages
from salesflow.validation import parse_id

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def _bell() -> dict[str, Any]:
    """`unread_notifications()` for the navigation bar: asked only when a page shows the bell."""

    def unread_notifications() -> int:
        if not current_user or not current_user.is_authenticated:
            return 0
        return queries.unread_count(current_user)

    return {"unread_notifications": unread_notifications}


@bp.route("/notifications")
@login_required
def index():
    before = parse_id(request.args.get("before"))
    unread = request.args.get("unread") == "1"
    rows, more = queries.page(current_user, before=before, unread=unread)
    next_url = None
    if more:
        next_url = url_for(
            "notifications.index", before=rows[-1].id, **({"unread": 1} if unread else {})
        )
    return render_template(
        "notifications/index.html",
        rows=rows,
        render=render,
        unread=unread,
        next_url=next_url,
        button_form=ButtonForm(),
        waiting_requests=request_pages.waiting(current_user, clock.now()),
    )


@bp.post("/notifications/<int:notification_id>/open")
@login_required
def open_(notification_id: int):
    notification = queries.get_notification(current_user, notification_id)
    return press(
        lambda: services.mark_read(notification, now=clock.now()),
        back=local_path(notification.link) or url_for("notifications.index"),
    )


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read(notification_id: int):
    notification = queries.get_notification(current_user, notification_id)
    return press(
        lambda: services.mark_read(notification, now=clock.now()),
        back=url_for("notifications.index"),
    )


@bp.post("/notifications/read-all")
@login_required
def read_all():
    return press(
        lambda: services.mark_all_read(current_user, now=clock.now()),
        back=url_for("notifications.index"),
        done=_("All notifications marked as read."),
    )
