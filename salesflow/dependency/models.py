from datetime import date, datetime

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
    )

    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("accounts.id"), primary_key=True)
    contact_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("contacts.id"), primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    day: so.Mapped[int] = so.mapped_column(primary_key=True)  # days since 1970-01-01, local
    touches: so.Mapped[int]


class AccountSnapshot(db.Model):
    """One account's dependency figures on one day (the company's calendar), taken daily so
    leadership sees whether dependency is going down (`flask snapshots take`, the scheduler)."""

    __tablename__ = "account_snapshots"
    __table_args__ = (sa.UniqueConstraint("day", "account_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    day: so.Mapped[date] = so.mapped_column(index=True)
    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("accounts.id"), index=True)
    team_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("teams.id"))
    holder_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    top_share: so.Mapped[float | None]
    effective_holders: so.Mapped[float | None]
    key_contacts: so.Mapped[int]
    uncovered_key_contacts: so.Mapped[int]
    single_threaded_key_contacts: so.Mapped[int]
    multi_threaded_coverage: so.Mapped[float | None]
    bus_factor: so.Mapped[int]
    risk: so.Mapped[str] = so.mapped_column(sa.String(10))
    # Today's snapshot also answers the live report (queries.report): the moment it was taken,
    # each person's share and the key contacts by id. Older rows may lack them (None).
    taken_at: so.Mapped[datetime | None]
    shares: so.Mapped[dict[str, float] | None] = so.mapped_column(sa.JSON)
    key_contact_ids: so.Mapped[list[int] | None] = so.mapped_column(sa.JSON)
    uncovered_ids: so.Mapped[list[int] | None] = so.mapped_column(sa.JSON)
    single_threaded_ids: so.Mapped[list[int] | None] = so.mapped_column(sa.JSON)


class TieChange(db.Model):
    """An account whose tie counts changed, and when: written with every change of the counts,
    so the report knows which accounts today's snapshot no longer answers for. Rows older than
    the latest snapshot are dropped when one is taken."""

    __tablename__ = "tie_changes"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("accounts.id"))
    at: so.Mapped[datetime] = so.mapped_column(index=True)
