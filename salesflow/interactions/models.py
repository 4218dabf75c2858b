from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property

from salesflow.db import SoftDeleteMixin, TimestampMixin, VersionMixin, str_enum
from salesflow.extensions import db


class Kind(StrEnum):
    visit = "visit"
    call = "call"
    meeting = "meeting"
    meal = "meal"
    tech_exchange = "tech_exchange"
    exec_visit = "exec_visit"
    site_visit = "site_visit"
    email = "email"
    event = "event"
    other = "other"


interaction_participants = sa.Table(
    "interaction_participants",
    db.metadata,
    sa.Column("interaction_id", sa.ForeignKey("interactions.id"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True, index=True),
)

interaction_attendees = sa.Table(
    "interaction_attendees",
    db.metadata,
    sa.Column("interaction_id", sa.ForeignKey("interactions.id"), primary_key=True),
    sa.Column("contact_id", sa.ForeignKey("contacts.id"), primary_key=True, index=True),
)


class Interaction(TimestampMixin, SoftDeleteMixin, VersionMixin, db.Model):
    """One logged customer contact: who met whom, what came of it, what happens next."""

    __tablename__ = "interactions"
    __table_args__ = (
        sa.Index("ix_interactions_account_id_occurred_at", "account_id", "occurred_at"),
        sa.Index("ix_interactions_owner_id_next_step_due", "owner_id", "next_step_due"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("accounts.id"))
    # The deal this contact worked on, if any (`interactions` gates count these).
    opportunity_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("opportunities.id"), index=True
    )
    occurred_at: so.Mapped[datetime]
    kind: so.Mapped[Kind] = so.mapped_column(str_enum(Kind))
    summary: so.Mapped[str] = so.mapped_column(sa.Text, info={"max_length": 5000})
    outcome: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"max_length": 5000})
    next_step: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    next_step_due: so.Mapped[date | None]
    next_step_done_at: so.Mapped[datetime | None]
    cost: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(14, 2))
    # What the cost bought (key_accounts.spend_kinds); None: read from the kind of contact.
    spend_kind: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    # Who logged it and owns the next step.
    owner_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))

    account: so.Mapped["Account"] = so.relationship()  # noqa: F821
    opportunity: so.Mapped["Opportunity | None"] = so.relationship()  # noqa: F821
    owner: so.Mapped["User"] = so.relationship()  # noqa: F821
    participants: so.Mapped[list["User"]] = so.relationship(  # noqa: F821
        secondary=interaction_participants, order_by="User.name"
    )
    attendees: so.Mapped[list["Contact"]] = so.relationship(  # noqa: F821
        secondary=interaction_attendees, order_by="Contact.name"
    )
    # spend_shares: the attendees' shares of the cost when given per attendee, a relationship
    # added by key_accounts.spend_models (which reads this model).

    @hybrid_property
    def has_open_step(self) -> bool:
        """An open next step: one with a due date, not done, the interaction not deleted (My day,
        the calendar feed, the reminders)."""
        return (
            self.next_step is not None
            and self.next_step_due is not None
            and self.next_step_done_at is None
            and self.deleted_at is None
        )

    @has_open_step.inplace.expression
    @classmethod
    def _has_open_step_expression(cls) -> sa.ColumnElement[bool]:
        return sa.and_(
            cls.next_step.is_not(None),
            cls.next_step_due.is_not(None),
            cls.next_step_done_at.is_(None),
            cls.deleted_at.is_(None),
        )

    @hybrid_method
    def step_overdue(self, today: date) -> bool:
        """An open next step due before `today`, the company's day (clock.today)."""
        return self.has_open_step and self.next_step_due < today

    @step_overdue.inplace.expression
    @classmethod
    def _step_overdue_expression(cls, today: date) -> sa.ColumnElement[bool]:
        return sa.and_(cls.has_open_step, cls.next_step_due < today)

    def __repr__(self) -> str:
        return f"<Interaction {self.id} {self.kind} {self.occurred_at:%Y-%m-%d}>"
