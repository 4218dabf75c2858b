import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.db import TimestampMixin
from salesflow.extensions import db


class Team(TimestampMixin, db.Model):
    """A sales team or region; its director reviews its pipeline."""

    __tablename__ = "teams"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    director_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", use_alter=True), index=True
    )

    director: so.Mapped["User | None"] = so.relationship(foreign_keys=[director_id])  # noqa: F821

    def __repr__(self) -> str:
        return f"<Team {self.id} {self.name}>"
