"""In-app notifications: every write. Entry points commit (STYLE.md rule 5)."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.notifications.messages import MESSAGES
from salesflow.notifications.models import Notification


def notify(
    users: Iterable[User | None], kind: str, *, params: dict[str, Any] | None = None,
    link: str | None = None, key: str | None = None, now: datetime,
) -> list[Notification]:  # fmt: skip
    """Tell each active user in `users` once (None and repeats are skipped; a deactivated user
    reads nothing). With a `key`, a user who already has a notification with that key gets no
    second one, so a job may run twice safely. Raises KeyError for an unknown kind."""
    if kind not in MESSAGES:
        raise KeyError(f"unknown notification kind {kind!r}")
    people = {u.id: u for u in users if u is not None and u.active}
    if key is not None and people:
        told = db.session.scalars(
            sa.select(Notification.user_id)
            .where(Notification.key == key, Notification.user_id.in_(people))
        )  # fmt: skip
        for user_id in set(told):
            people.pop(user_id, None)
    created = [
        Notification(
            user_id=user_id,
            kind=kind,
            params=dict(params or {}),
            link=link,
            key=key,
            created_at=now,
        )  # fmt: skip
        for user_id in sorted(people)
    ]
    db.session.add_all(created)
    db.session.flush()
    return created


def mark_read(notification: Notification, *, now: datetime) -> Notification:
    """Mark one notification read (the first time counts)."""
    if notification.read_at is None:
        notification.read_at = now
        db.session.flush()
    return notification


def mark_all_read(user: User, *, now: datetime) -> int:
    """Mark every unread notification of `user` read; returns how many."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]
