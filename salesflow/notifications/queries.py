"""Reads of the caller's notifications: only ever their own (someone else's is a 404)."""

import sqlalchemy as sa

from salesflow.auth.models import User
from salesflow.errors import NotFound
from salesflow.extensions import db
from salesflow.notifications.models import Notification


def get_notification(user: User, notification_id: int) -> Notification:
    """One of `user`'s own notifications, else NotFound."""
    notification = db.session.scalar(
        sa.select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user.id
        )
    )
    if notification is None:
        raise NotFound()
    return notification


def page(
    user: User, *, before: int | None = None, limit: int = 50, unread: bool = False
) -> tuple[list[Notification], bool]:
    """`user`'s notifications, newest first, a keyset page of `limit` before id `before`;
    (notifications, more)."""
    query = sa.select(Notification).where(Notification.user_id == user.id)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    if before is not None:
        query = query.where(Notification.id < before)
    rows = db.session.scalars(query.order_by(Notification.id.desc()).limit(limit + 1)).all()
    return list(rows[:limit]), len(rows) > limit


def unread_count(user: User) -> int:
    """How many of `user`'s notifications are unread (the bell's number)."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )
