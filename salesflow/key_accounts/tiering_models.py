"""The history of an account's tier: each decision of a director on the suggested tier."""

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.accounts.models import Tier
from salesflow.db import str_enum
from salesflow.extensions import db


class AccountTierChange(db.Model):
    """A director confirmed the suggested tier (to_tier = suggested) or kept the tier with a
    reason (to_tier = from_tier): the yearly review's record, never edited."""

    __tablename__ = "account_tier_changes"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("accounts.id"), index=True)
    from_tier: so.Mapped[Tier] = so.mapped_column(str_enum(Tier))
    to_tier: so.Mapped[Tier] = so.mapped_column(str_enum(Tier))
    suggested: so.Mapped[Tier] = so.mapped_column(str_enum(Tier))
    reason: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"max_length": 2_000})
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    at: so.Mapped[datetime]

    actor: so.Mapped["User | None"] = so.relationship()  # noqa: F821
