from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.db import Money, SoftDeleteMixin, TimestampMixin, VersionMixin, str_enum
from salesflow.extensions import db


class Tier(StrEnum):
    """Key accounts first: the 20% of accounts that bring 80% of revenue are tier A."""

    A = "A"
    B = "B"
    C = "C"


class TeamRole(StrEnum):
    AR = "AR"
    SR = "SR"
    FR = "FR"
    sponsor = "sponsor"
    member = "member"


class Account(TimestampMixin, SoftDeleteMixin, VersionMixin, db.Model):
    __tablename__ = "accounts"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200), index=True)
    industry: so.Mapped[str | None] = so.mapped_column(sa.String(80), index=True)
    region: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    team_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("teams.id"), index=True)
    tier: so.Mapped[Tier] = so.mapped_column(str_enum(Tier), default=Tier.C, index=True)
    parent_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("accounts.id"), index=True)
    address: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    website: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    notes: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"max_length": 20_000})
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    # What the account could buy from us in a year, as its AR estimates it (tiering's potential).
    yearly_potential: so.Mapped[Decimal | None] = so.mapped_column(Money(16))
    potential_currency: so.Mapped[str | None] = so.mapped_column(sa.String(3))

    team: so.Mapped["Team"] = so.relationship()  # noqa: F821
    parent: so.Mapped["Account | None"] = so.relationship(remote_side=[id])
    members: so.Mapped[list["AccountMember"]] = so.relationship(
        back_populates="account", cascade="all, delete-orphan", order_by="AccountMember.id"
    )

    @property
    def is_key_account(self) -> bool:
        """Tier A: a key account (the pages mark it)."""
        return self.tier == Tier.A

    def __repr__(self) -> str:
        return f"<Account {self.id} {self.name}>"


class AccountMember(db.Model):
    """A person of ours on the account team, in an iron-triangle role, as sponsor or member."""

    __tablename__ = "account_members"
    __table_args__ = (sa.UniqueConstraint("account_id", "user_id", "role"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("accounts.id"), index=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    role: so.Mapped[TeamRole] = so.mapped_column(str_enum(TeamRole))

    account: so.Mapped[Account] = so.relationship(back_populates="members")
    user: so.Mapped["User"] = so.relationship()  # noqa: F821
