from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.extensions import db


class CalendarFeed(db.Model):
    """A user's secret calendar address (`/calendar/<token>.ics`): the token is the only key, so
    only its SHA-256 is stored (like API tokens). One per user: a new one replaces the old, and
    deactivating the user deletes it."""

    __tablename__ = "calendar_feeds"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), unique=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime]

    user: so.Mapped["User"] = so.relationship()  # noqa: F821
