"""The yearly relationship budget of an account, one row per currency (issue 17: the budget
informs, it never blocks)."""

from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.db import TimestampMixin, VersionMixin
from salesflow.extensions import db
from salesflow.interactions.models import Interaction


class AccountBudget(TimestampMixin, VersionMixin, db.Model):
    """What the company means to spend on an account's relationships in a year, in a currency."""

    __tablename__ = "account_budgets"
    __table_args__ = (sa.UniqueConstraint("account_id", "year", "currency"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("accounts.id"))
    year: so.Mapped[int]
    currency: so.Mapped[str] = so.mapped_column(sa.String(3))
    amount: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(14, 2))


class InteractionSpend(db.Model):
    """A customer attendee's share of a logged contact's cost, when given per attendee (else the
    cost is split equally among the attendees). The shares of a contact add up to its cost."""

    __tablename__ = "interaction_spend"

    interaction_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("interactions.id"), primary_key=True
    )
    contact_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("contacts.id"), primary_key=True, index=True
    )
    amount: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(14, 2))
    currency: so.Mapped[str] = so.mapped_column(sa.String(3))


# A contact's amounts per attendee, kept and removed with it (key_accounts.spend_split).
Interaction.spend_shares = so.relationship(
    InteractionSpend, cascade="all, delete-orphan", order_by=InteractionSpend.contact_id
)


# The spend of a year read from the index alone (the spend page sums every account's costs of
# the year: ~180,000 of 1,000,000 contacts on the full-size data carry a cost).
_SPENT = sa.and_(Interaction.cost.is_not(None), Interaction.deleted_at.is_(None))
sa.Index(
    "ix_interactions_costs",
    Interaction.account_id,
    Interaction.occurred_at,
    Interaction.cost,
    sqlite_where=_SPENT,
    postgresql_where=_SPENT,
)
