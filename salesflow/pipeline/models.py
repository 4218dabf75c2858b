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


class PipelineOpenStage(db.Model):
    """The open deals of one team in one stage of one playbook version, in one currency, that
    entered the stage on one day (company calendar): how many, their amount and weighted amount
    in cents, and the first moment one of them entered. The review's funnel reads these for the
    teams a reader sees (pipeline/open_deals.py keeps them)."""

    __tablename__ = "pipeline_open_stages"
    __table_args__ = (
        sa.Index("ix_pipeline_open_stages_team_id", "team_id", "playbook_version_id", "stage_key"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    team_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("teams.id"))
    playbook_version_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("playbook_versions.id"))
    stage_key: so.Mapped[str] = so.mapped_column(sa.String(60))
    currency: so.Mapped[str] = so.mapped_column(sa.String(3))
    entered_on: so.Mapped[date]
    deals: so.Mapped[int]
    amount_cents: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    weighted_cents: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    first_entered_at: so.Mapped[datetime]


class PipelineOpenClose(db.Model):
    """The weighted amount in cents of the open deals of one team and playbook version, in one
    currency, expected to close on one day (or without a date): what the review's forecast
    reads for the teams a reader sees (pipeline/open_deals.py keeps them)."""

    __tablename__ = "pipeline_open_closes"
    __table_args__ = (
        sa.Index(
            "ix_pipeline_open_closes_team_id",
            "team_id",
            "playbook_version_id",
            "currency",
            "expected_close",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    team_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("teams.id"))
    playbook_version_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("playbook_versions.id"))
    currency: so.Mapped[str] = so.mapped_column(sa.String(3))
    expected_close: so.Mapped[date | None]
    deals: so.Mapped[int]
    weighted_cents: so.Mapped[int] = so.mapped_column(sa.BigInteger)


class PipelineOpenBuild(db.Model):
    """The open pipeline's first build: from then on every change keeps it (a row here), before
    it the review computes the open deals' figures live."""

    __tablename__ = "pipeline_open_builds"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    built_at: so.Mapped[datetime]


class PipelineTriangleGap(db.Model):
    """An open deal, not deleted, in a stage whose `roles` gate asks for an iron-triangle role no
    active user holds on it, with its account and playbook version (pipeline/triangle_gaps.py
    keeps them): the review's iron-triangle gap list reads these few deals, narrowed by their
    accounts for the reader's scope, instead of testing the seats of every open deal."""

    __tablename__ = "pipeline_triangle_gaps"

    opportunity_id: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    account_id: so.Mapped[int]
    playbook_version_id: so.Mapped[int]


class PipelineTriangleBuild(db.Model):
    """The triangle gaps' first build: from then on every change keeps them (a row here), before
    it the review tests every open deal's seats."""

    __tablename__ = "pipeline_triangle_builds"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    built_at: so.Mapped[datetime]
