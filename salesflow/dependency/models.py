from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.extensions import db


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
    # Set when the row was recomputed in the transaction that changed its account's tie counts
    # (snapshots.refresh): the report then trusts it past `taken_at`.
    refreshed_at: so.Mapped[datetime | None]
