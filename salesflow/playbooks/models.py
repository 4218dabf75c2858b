from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.extensions import db


class PlaybookVersion(db.Model):
    """One version of a playbook file as it was loaded; running deals point at it (PLAYBOOKS.md,
    Versions). Rows are never changed or removed, so a deal keeps its rules whatever happens to
    the file."""

    __tablename__ = "playbook_versions"
    __table_args__ = (sa.UniqueConstraint("key", "version"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(60))
    version: so.Mapped[int]
    content_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    name: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)  # {en: .., zh: ..}
    # The file's text, parsed on first use (registry.playbook). Deferred, and raising if read
    # unawares: a page of deals joined to their versions would carry its 10 KB once per deal.
    source: so.Mapped[str] = so.mapped_column(sa.Text, deferred=True, deferred_raiseload=True)
    loaded_at: so.Mapped[datetime]

    def __repr__(self) -> str:
        return f"<PlaybookVersion {self.key} v{self.version}>"
