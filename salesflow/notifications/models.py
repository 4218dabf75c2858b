from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.extensions import db


class Notification(db.Model):
    """An in-app message to one user. The text is rendered from `kind` and `params` in the
    reader's language when shown; `key`, when set, is unique per user so a job that runs twice
    (or a rule that fires again) never says the same thing twice."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "key"),
        sa.Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
        sa.Index("ix_notifications_email_state_email_next_at", "email_state", "email_next_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    params: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    link: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    key: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    created_at: so.Mapped[datetime]
    read_at: so.Mapped[datetime | None]
    # E-mail (when SMTP is configured, for the kinds in messages.EMAILED): None = not mailed;
    # "pending" until sent, retried with a growing pause; "sent"; "failed" after the last try.
    email_state: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    email_attempts: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    email_next_at: so.Mapped[datetime | None]
    email_sent_at: so.Mapped[datetime | None]
    email_error: so.Mapped[str | None] = so.mapped_column(sa.Text)

    user: so.Mapped["User"] = so.relationship()  # noqa: F821

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} to {self.user_id}>"
