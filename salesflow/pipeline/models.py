from datetime import date
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.extensions import db


class PipelineSnapshot(db.Model):
    """One open opportunity as it stood on one day (the company's calendar): its stage, amount
    and expected close, taken daily so the review can say what moved during a week (a close date
    moved later is "slipped"). Kept for PIPELINE_SNAPSHOT_DAYS."""

    __tablename__ = "pipeline_snapshots"
    __table_args__ = (
        sa.UniqueConstraint("day", "opportunity_id"),
        sa.Index("ix_pipeline_snapshots_day_team_id", "day", "team_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    day: so.Mapped[date]
    opportunity_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("opportunities.id"))
    team_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("teams.id"))
    playbook_key: so.Mapped[str] = so.mapped_column(sa.String(60))
    stage_key: so.Mapped[str] = so.mapped_column(sa.String(60))
    stage_index: so.Mapped[int]  # position in its playbook version, for "moved back" checks
    amount: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(16, 2))
    currency: so.Mapped[str] = so.mapped_column(sa.String(3))
    expected_close: so.Mapped[date | None]
