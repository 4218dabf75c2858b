"""In-app notifications: every write. Entry points commit (STYLE.md rule 5)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app

from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.notifications.messages import EMAILED, MESSAGES
from salesflow.notifications.models import Notification


def notify(
    users: Iterable[User | None],
    kind: str,
    *,
    params: dict[str, Any] | None = None,
    link: str | None = None,
    key: str | None = None,
    now: datetime,
) -> list[Notification]:
    """Tell each active user in `users` once (None and repeats are skipped; a deactivated user
    reads nothing). With a `key`, a user who already has a notification with that key gets no
    second one, so a job may run twice safely. Raises KeyError for an unknown kind."""
    if kind not in MESSAGES:
        raise KeyError(f"unknown notification kind {kind!r}")
    people = {u.id: u for u in users if u is not None and u.active}
    if key is not None and people:
        told = db.session.scalars(
            sa.select(Notification.user_id).where(
                Notification.key == key, Notification.user_id.in_(people)
            )
        )
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
            **_email(kind, now),
        )
        for user_id in sorted(people)
    ]
    db.session.add_all(created)
    db.session.flush()
    return created


def _email(kind: str, now: datetime) -> dict[str, Any]:
    """The e-mail columns of a new notification: pending when it is a mailed kind and SMTP is
    configured, else not mailed."""
    if kind in EMAILED and current_app.config["SMTP_HOST"]:
        return {"email_state": "pending", "email_next_at": now}
    return {"email_state": None, "email_next_at": None}


@dataclass(frozen=True)
class Notice:
    """One message of a job to some users, told once per user by its `key`."""

    user_ids: tuple[int, ...]
    kind: str
    key: str
    link: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


BATCH = 2000


def notify_many(notices: list[Notice], *, now: datetime) -> int:
    """Every notice to each of its active users who has not had its key yet: a job's messages in
    a few queries whatever their number (never one per row). Returns how many were created.
    Raises KeyError for an unknown kind."""
    for notice in notices:
        if notice.kind not in MESSAGES:
            raise KeyError(f"unknown notification kind {notice.kind!r}")
    wanted = sorted({u for n in notices for u in n.user_ids})
    keys = sorted({n.key for n in notices})
    active: set[int] = set()
    told: set[tuple[int, str]] = set()
    for start in range(0, max(len(wanted), len(keys)), BATCH):
        users, some = wanted[start : start + BATCH], keys[start : start + BATCH]
        if users:
            active |= set(
                db.session.scalars(
                    sa.select(User.id).where(User.id.in_(users), User.active.is_(True))
                )
            )
        if some:
            told |= {
                (user_id, key)
                for user_id, key in db.session.execute(
                    sa.select(Notification.user_id, Notification.key).where(
                        Notification.key.in_(some)
                    )
                )
            }
    rows = []
    for notice in notices:
        for user_id in sorted(set(notice.user_ids)):
            if user_id in active and (user_id, notice.key) not in told:
                told.add((user_id, notice.key))
                rows.append(
                    {
                        "user_id": user_id,
                        "kind": notice.kind,
                        "link": notice.link,
                        "params": notice.params,
                        "key": notice.key,
                        "created_at": now,
                        "email_attempts": 0,
                        **_email(notice.kind, now),
                    }
                )
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(Notification), rows[start : start + BATCH])
    return len(rows)


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
