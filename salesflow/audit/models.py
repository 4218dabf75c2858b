from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.extensions import db


class AuditEntry(db.Model):
    """Who changed what, when, from what to what. Never updated, never deleted."""

    __tablename__ = "audit_entries"
    __table_args__ = (sa.Index("ix_audit_entries_entity", "entity_type", "entity_id", "id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime]
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    entity_type: so.Mapped[str] = so.mapped_column(sa.String(40))
    entity_id: so.Mapped[int]
    # The account a change belongs to, so an account page can show its contacts' history too.
    account_id: so.Mapped[int | None] = so.mapped_column(index=True)
    action: so.Mapped[str] = so.mapped_column(sa.String(20))
    changes: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    # Why the change was made when it was not made by hand: {"import": id, "file": name} for a
    # record an import created or changed (the history shows "Imported from <file>").
    cause: so.Mapped[dict[str, Any] | None] = so.mapped_column(sa.JSON(none_as_null=True))

    actor: so.Mapped["User | None"] = so.relationship()  # noqa: F821
