from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.db import TimestampMixin
from salesflow.extensions import db


class Handover(TimestampMixin, db.Model):
    """Accounts handed over from one of our people to another by a due date. Its checklist is
    never ticked by hand: `handovers.checklist` derives every item from the data."""

    __tablename__ = "handovers"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    from_user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    to_user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    due_date: so.Mapped[date]
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    # The first time the checklist was seen complete (its creator was told then).
    completed_at: so.Mapped[datetime | None]

    from_user: so.Mapped["User"] = so.relationship(foreign_keys=[from_user_id])  # noqa: F821
    to_user: so.Mapped["User"] = so.relationship(foreign_keys=[to_user_id])  # noqa: F821
    created_by: so.Mapped["User"] = so.relationship(foreign_keys=[created_by_id])  # noqa: F821
    accounts: so.Mapped[list["HandoverAccount"]] = so.relationship(
        back_populates="handover",
        cascade="all, delete-orphan",
        order_by="HandoverAccount.account_id",
    )

    @property
    def account_ids(self) -> list[int]:
        return [a.account_id for a in self.accounts]

    def is_overdue(self, complete: bool, today: date) -> bool:
        """Handover overdue: its checklist (`complete`, derived from the data) not complete and
        its due date before `today`, the company's day (clock.today)."""
        return not complete and self.due_date < today

    @classmethod
    def may_be_overdue(cls, today: date) -> sa.ColumnElement[bool]:
        """is_overdue() as far as SQL can tell: due before `today` and not yet seen complete
        (completed_at); the checklist built from the data decides the rest."""
        return sa.and_(cls.completed_at.is_(None), cls.due_date < today)

    def __repr__(self) -> str:
        return f"<Handover {self.id} {self.from_user_id}→{self.to_user_id}>"


class HandoverAccount(db.Model):
    """One account of a handover, with what it was at creation: the roles the old person held,
    the key contacts, and the account's dependency risk ("before")."""

    __tablename__ = "handover_accounts"

    handover_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("handovers.id"), primary_key=True)
    account_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("accounts.id"), primary_key=True, index=True
    )
    # {"team": ["AR", ...], "opportunities": [[opportunity id, "SR"], ...]} (open deals only)
    roles: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    key_contact_ids: so.Mapped[list[int]] = so.mapped_column(sa.JSON, default=list)
    risk_before: so.Mapped[str] = so.mapped_column(sa.String(10))

    handover: so.Mapped[Handover] = so.relationship(back_populates="accounts")
    account: so.Mapped["Account"] = so.relationship()  # noqa: F821
