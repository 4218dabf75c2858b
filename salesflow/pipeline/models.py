from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.db import str_enum
from salesflow.extensions import db
from salesflow.opportunities.models import Move


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


class PipelineMoveDay(db.Model):
    """How many deals left a stage one way on one day (company calendar), per team, playbook
    version and gate result: the daily aggregate the review's period figures (gate compliance,
    conversion) read for every day up to yesterday (pipeline/aggregate.py). Counts every deal,
    deleted or not, of every account, under the account's team when it was built."""

    __tablename__ = "pipeline_move_days"
    __table_args__ = (sa.Index("ix_pipeline_move_days_day_team_id", "day", "team_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    day: so.Mapped[date]
    team_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("teams.id"))
    playbook_version_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("playbook_versions.id"))
    from_stage: so.Mapped[str | None] = so.mapped_column(sa.String(60))
    move: so.Mapped[Move] = so.mapped_column(str_enum(Move))
    gates_met: so.Mapped[bool]
    overridden: so.Mapped[bool]
    moves: so.Mapped[int]


class PipelineMoveAccount(db.Model):
    """Each account's team and deletion as the move aggregate was built: an account whose team or
    deletion changed since is counted live instead (pipeline/aggregate.py)."""

    __tablename__ = "pipeline_move_accounts"

    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("accounts.id"), primary_key=True)
    team_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("teams.id"))
    deleted: so.Mapped[bool]


class PipelineMoveBuild(db.Model):
    """The one build of the move aggregate: the last day it counts and the deals deleted then."""

    __tablename__ = "pipeline_move_builds"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    through: so.Mapped[date]  # the aggregate counts the days up to this one, included
    built_at: so.Mapped[datetime]
    deleted_deals: so.Mapped[list[int]] = so.mapped_column(sa.JSON, default=list)
