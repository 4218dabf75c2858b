from datetime import date
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.ext.hybrid import hybrid_property

from salesflow.db import SoftDeleteMixin, TimestampMixin, VersionMixin, str_enum
from salesflow.extensions import db


class DecisionRole(StrEnum):
    decision_maker = "decision_maker"
    technical_evaluator = "technical_evaluator"
    user = "user"
    influencer = "influencer"
    coach = "coach"  # our guide inside the customer (教练/内线)
    gatekeeper = "gatekeeper"
    procurement = "procurement"
    unknown = "unknown"


class Influence(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"


class Attitude(StrEnum):
    """Support for us, ordered best to worst; `unknown` never counts as support."""

    champion = "champion"
    supporter = "supporter"
    neutral = "neutral"
    skeptic = "skeptic"
    opponent = "opponent"
    unknown = "unknown"


class Level(StrEnum):
    executive = "executive"
    management = "management"
    operational = "operational"


def key_role(decision_role: str, influence: str) -> bool:
    """The role half of a key contact: a decision maker, or anyone of high influence."""
    return decision_role == DecisionRole.decision_maker or influence == Influence.high


PROFILE_FIELDS = ("background", "education", "hometown", "interests", "preferences", "notes")
# What people edit on a contact, in the form's order: the form, the exports and the merge chooser
# all read this one list.
EDITABLE_FIELDS = (
    "name",
    "title",
    "department",
    "level",
    "reports_to_id",
    "decision_role",
    "influence",
    "attitude",
    "email",
    "phone",
    *PROFILE_FIELDS,
    "left_on",
)


class Contact(TimestampMixin, SoftDeleteMixin, VersionMixin, db.Model):
    """A person at the customer, placed in the account's decision chain."""

    __tablename__ = "contacts"
    __table_args__ = (
        # covering: the review's decision-chain gaps find the accounts' current decision makers
        # from the index alone, not by scanning every contact
        sa.Index(
            "ix_contacts_decision_role", "decision_role", "account_id", "deleted_at", "left_on"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("accounts.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120), index=True)
    title: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    department: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    level: so.Mapped[Level | None] = so.mapped_column(str_enum(Level))
    reports_to_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("contacts.id"), index=True
    )
    decision_role: so.Mapped[DecisionRole] = so.mapped_column(
        str_enum(DecisionRole), default=DecisionRole.unknown
    )
    influence: so.Mapped[Influence] = so.mapped_column(
        str_enum(Influence), default=Influence.medium
    )
    attitude: so.Mapped[Attitude] = so.mapped_column(str_enum(Attitude), default=Attitude.unknown)
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    phone: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    # The profile that makes a high-quality reception possible (PRODUCT.md, capability 1).
    background: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"max_length": 10_000})
    education: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    hometown: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    interests: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"max_length": 10_000})
    preferences: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"max_length": 10_000})
    notes: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"max_length": 10_000})
    # A government official: their share of a contact's cost above the per-person cap of its
    # spend kind is flagged in stricter words (issue 17; flagged, never blocked).
    government_official: so.Mapped[bool] = so.mapped_column(
        default=False, server_default=sa.false()
    )
    # A contact who left the customer keeps their history but leaves the decision chain.
    left_on: so.Mapped[date | None]

    account: so.Mapped["Account"] = so.relationship()  # noqa: F821
    reports_to: so.Mapped["Contact | None"] = so.relationship(remote_side=[id])

    @hybrid_property
    def is_current(self) -> bool:
        """Still in the decision chain: not deleted, not left."""
        return self.deleted_at is None and self.left_on is None

    @is_current.inplace.expression
    @classmethod
    def _is_current_expression(cls) -> sa.ColumnElement[bool]:
        return sa.and_(cls.deleted_at.is_(None), cls.left_on.is_(None))

    @hybrid_property
    def is_key(self) -> bool:
        """A key contact (PRODUCT.md, Dependency analytics): current, and a decision maker or of
        high influence. The one definition; dependency.metrics applies key_role() to its values."""
        return self.is_current and key_role(self.decision_role, self.influence)

    @is_key.inplace.expression
    @classmethod
    def _is_key_expression(cls) -> sa.ColumnElement[bool]:
        return sa.and_(
            cls.deleted_at.is_(None),
            cls.left_on.is_(None),
            sa.or_(
                cls.decision_role == DecisionRole.decision_maker, cls.influence == Influence.high
            ),
        )

    @property
    def profile(self) -> dict[str, str | None]:
        return {field: getattr(self, field) for field in PROFILE_FIELDS}

    def __repr__(self) -> str:
        return f"<Contact {self.id} {self.name}>"
