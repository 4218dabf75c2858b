"""Who knows whom, as the company remembers it: how many interactions each of our users shared
with each customer contact, per day, and which accounts' counts changed when."""

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.extensions import db


class TieTouch(db.Model):
    """How many interactions one of our users and one contact took part in together on one day
    (the company's calendar): the running count behind every tie strength (STACK.md: the
    dependency report reads this, never the interactions). Kept in the same transaction as each
    logged, changed, deleted or restored interaction; `flask ties rebuild` recomputes it."""

    __tablename__ = "tie_touches"
    __table_args__ = (
        # covering: the whole-company report reads the window from the index alone
        sa.Index("ix_tie_touches_day", "day", "account_id", "contact_id", "user_id", "touches"),
        sa.Index("ix_tie_touches_user_id_day", "user_id", "day"),
        # covering, in the order the figures group the counts: a set of accounts (the departure
        # simulation, each refresh) or all of them (dependency.live)
        sa.Index(
            "ix_tie_touches_account_id_user_id",
            "account_id",
            "user_id",
            "contact_id",
            "day",
            "touches",
        ),
    )

    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("accounts.id"), primary_key=True)
    contact_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("contacts.id"), primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    day: so.Mapped[int] = so.mapped_column(primary_key=True)  # days since 1970-01-01, local
    touches: so.Mapped[int]


class TieChange(db.Model):
    """An account whose relationship figures' inputs changed, and when (its tie counts, a
    contact's role, influence, leaving or deletion, who has gone: ties.touches.changed), so the
    report knows which accounts a snapshot taken while the change was in flight may not answer
    for. Rows older than the latest snapshot are dropped when one is taken."""

    __tablename__ = "tie_changes"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("accounts.id"))
    at: so.Mapped[datetime] = so.mapped_column(index=True)
