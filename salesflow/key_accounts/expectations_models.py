"""What a customer expects of us (the expectation register) and how it perceives what it gets
(perception records): satisfaction is perceived minus expected (issue 17, PRODUCT.md)."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.db import VersionMixin, str_enum
from salesflow.extensions import db


class ExpectationStatus(StrEnum):
    open = "open"
    met = "met"
    missed = "missed"
    withdrawn = "withdrawn"


class ExpectationCategory(StrEnum):
    product = "product"
    delivery = "delivery"
    service = "service"
    price = "price"
    relationship = "relationship"
    other = "other"


class OwnerRole(StrEnum):
    """Who on the account team answers for an expectation (the iron triangle's roles)."""

    AR = "AR"
    SR = "SR"
    FR = "FR"


class PerceptionSource(StrEnum):
    survey = "survey"
    meeting = "meeting"
    complaint = "complaint"


class AccountExpectation(VersionMixin, db.Model):
    """One thing the customer expects of us, owned by a role, due by a date. It is met only with
    the action that met it: a next step done (interaction_id) or an internal request done
    (request_id)."""

    __tablename__ = "account_expectations"
    __table_args__ = (sa.Index("ix_account_expectations_account_status", "account_id", "status"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("accounts.id"))
    statement: so.Mapped[str] = so.mapped_column(sa.Text, info={"max_length": 2_000})
    category: so.Mapped[ExpectationCategory] = so.mapped_column(str_enum(ExpectationCategory))
    owner_role: so.Mapped[OwnerRole] = so.mapped_column(str_enum(OwnerRole))
    due: so.Mapped[date | None]
    status: so.Mapped[ExpectationStatus] = so.mapped_column(
        str_enum(ExpectationStatus), default=ExpectationStatus.open
    )
    interaction_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("interactions.id"))
    request_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("internal_requests.id"))
    created_at: so.Mapped[datetime]
    closed_at: so.Mapped[datetime | None]


class PerceptionRecord(db.Model):
    """How the customer (or one of its people) rated what it got (perceived, 1–5) against what it
    expected (expected, 1–5), from a survey, a meeting or a complaint. Never edited."""

    __tablename__ = "perception_records"
    __table_args__ = (
        sa.Index("ix_perception_records_account_at", "account_id", "at"),
        sa.CheckConstraint("perceived BETWEEN 1 AND 5", name="perceived_range"),
        sa.CheckConstraint("expected BETWEEN 1 AND 5", name="expected_range"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("accounts.id"))
    contact_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("contacts.id"))
    perceived: so.Mapped[int]
    expected: so.Mapped[int]
    source: so.Mapped[PerceptionSource] = so.mapped_column(str_enum(PerceptionSource))
    at: so.Mapped[datetime]
    interaction_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("interactions.id"))
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))

    contact: so.Mapped["Contact | None"] = so.relationship()  # noqa: F821

    @property
    def gap(self) -> int:
        """Satisfaction of this record: perceived − expected (negative: below expectations)."""
        return self.perceived - self.expected
