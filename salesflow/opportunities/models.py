from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.db import Money, SoftDeleteMixin, TimestampMixin, VersionMixin, str_enum
from salesflow.extensions import db


class Status(StrEnum):
    open = "open"
    won = "won"
    lost = "lost"


class TriangleRole(StrEnum):
    """The iron triangle (铁三角) that works a deal: one person in each seat."""

    AR = "AR"
    SR = "SR"
    FR = "FR"


class Move(StrEnum):
    """What a stage change was (PLAYBOOKS.md, Moves)."""

    created = "created"
    advanced = "advanced"
    moved_back = "moved_back"
    won = "won"
    lost = "lost"
    reopened = "reopened"
    migrated = "migrated"  # to a newer version of its playbook
    # Brought in by an import at the stage it had elsewhere: the gates of the stages before it
    # were never checked by salesflow (shown as "not verified by salesflow", never as passed).
    imported = "imported"


class Decision(StrEnum):
    requested = "requested"
    approve = "approve"
    reject = "reject"


class Opportunity(TimestampMixin, SoftDeleteMixin, VersionMixin, db.Model):
    """A deal on an account, worked through the stages of one playbook version."""

    __tablename__ = "opportunities"
    __table_args__ = (
        # with the moment each entered its stage: the deals over a stage's limit are a range
        sa.Index(
            "ix_opportunities_status_stage",
            "status",
            "playbook_version_id",
            "stage_key",
            "stage_entered_at",
        ),
        sa.Index("ix_opportunities_expected_close", "expected_close"),
        # covering: won and lost in a period, their loss reasons and cycles (the review's
        # outcomes) are read from the index alone, never the deals' full rows
        sa.Index(
            "ix_opportunities_closed_at",
            "closed_at",
            "status",
            "deleted_at",
            "account_id",
            "loss_reason",
            "created_at",
        ),
        # covering: the deals created in a week (the review's movement) by the index alone
        sa.Index("ix_opportunities_created_at", "created_at", "deleted_at", "account_id"),
        # covering: the board's column totals and each column's first cards by close date, and
        # the review's funnel, forecast and stage ages, are read from the index alone
        # (queries.board, pipeline.figures), never the deals' full rows
        sa.Index(
            "ix_opportunities_board",
            "status",
            "stage_key",
            "expected_close",
            "playbook_version_id",
            "deleted_at",
            "account_id",
            "currency",
            "amount",
            "stage_entered_at",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("accounts.id"), index=True)
    playbook_version_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("playbook_versions.id"))
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    amount: so.Mapped[Decimal | None] = so.mapped_column(Money(16))
    currency: so.Mapped[str] = so.mapped_column(sa.String(3))
    expected_close: so.Mapped[date | None]
    customer_need: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"max_length": 5000})
    competitors: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    stage_key: so.Mapped[str] = so.mapped_column(sa.String(60))
    stage_entered_at: so.Mapped[datetime]
    status: so.Mapped[Status] = so.mapped_column(str_enum(Status), default=Status.open)
    closed_at: so.Mapped[datetime | None]
    # won: why, in words (optional); lost: the note beside the loss reason (required for "other")
    close_reason: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    # lost: the key of one of the playbook's loss_reasons (registry.loss_reasons_of)
    loss_reason: so.Mapped[str | None] = so.mapped_column(sa.String(60))
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    # Where an imported deal came from ("Imported from deals.xlsx (Old CRM)"); None when it was
    # opened in salesflow.
    source: so.Mapped[str | None] = so.mapped_column(sa.String(300))

    account: so.Mapped["Account"] = so.relationship()  # noqa: F821
    playbook_version: so.Mapped["PlaybookVersion"] = so.relationship()  # noqa: F821
    roles: so.Mapped[list["OpportunityRole"]] = so.relationship(
        back_populates="opportunity", cascade="all, delete-orphan", order_by="OpportunityRole.role"
    )

    @property
    def is_open(self) -> bool:
        return self.status == Status.open

    def __repr__(self) -> str:
        return f"<Opportunity {self.id} {self.name} {self.stage_key} {self.status}>"


class OpportunityRole(db.Model):
    """A seat of the iron triangle on one opportunity."""

    __tablename__ = "opportunity_roles"
    __table_args__ = (sa.UniqueConstraint("opportunity_id", "role"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    opportunity_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("opportunities.id"))
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    role: so.Mapped[TriangleRole] = so.mapped_column(str_enum(TriangleRole))

    opportunity: so.Mapped[Opportunity] = so.relationship(back_populates="roles")
    user: so.Mapped["User"] = so.relationship()  # noqa: F821


class StageChange(db.Model):
    """One move of an opportunity: from, to, who, when, why, and the gates as they were."""

    __tablename__ = "stage_changes"
    __table_args__ = (
        sa.Index("ix_stage_changes_opportunity_id", "opportunity_id", "id"),
        # covering: the review's period figures count moves from the index alone, never reading
        # the rows with their gate results
        sa.Index(
            "ix_stage_changes_at_move",
            "at",
            "move",
            "opportunity_id",
            "from_stage",
            "gates_met",
            "overridden",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    opportunity_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("opportunities.id"))
    at: so.Mapped[datetime]
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    move: so.Mapped[Move] = so.mapped_column(str_enum(Move))
    from_stage: so.Mapped[str | None] = so.mapped_column(sa.String(60))
    to_stage: so.Mapped[str] = so.mapped_column(sa.String(60))
    # [{gate, met, message}] of the stage left, as evaluated at the move
    gates: so.Mapped[list[dict[str, Any]]] = so.mapped_column(sa.JSON, default=list)
    gates_met: so.Mapped[bool] = so.mapped_column(default=True)
    overridden: so.Mapped[bool] = so.mapped_column(default=False)
    reason: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"max_length": 500})

    actor: so.Mapped["User | None"] = so.relationship()  # noqa: F821


class ChecklistTick(db.Model):
    """A checklist item of a stage ticked with its evidence; unticking keeps the row (cleared)."""

    __tablename__ = "checklist_ticks"
    __table_args__ = (sa.UniqueConstraint("opportunity_id", "stage_key", "item_key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    opportunity_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("opportunities.id"))
    stage_key: so.Mapped[str] = so.mapped_column(sa.String(60))
    item_key: so.Mapped[str] = so.mapped_column(sa.String(60))
    evidence: so.Mapped[str] = so.mapped_column(sa.Text, info={"max_length": 2000})
    ticked_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    ticked_at: so.Mapped[datetime]
    cleared_at: so.Mapped[datetime | None]

    ticked_by: so.Mapped["User"] = so.relationship()  # noqa: F821


class Approval(db.Model):
    """A request for, or a decision on, a decision point (an `approval` gate). Never changed:
    the latest decision by the named role stands (PLAYBOOKS.md)."""

    __tablename__ = "approvals"
    __table_args__ = (sa.Index("ix_approvals_opportunity_id", "opportunity_id", "gate_key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    opportunity_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("opportunities.id"))
    stage_key: so.Mapped[str] = so.mapped_column(sa.String(60))
    gate_key: so.Mapped[str] = so.mapped_column(sa.String(60))
    decision: so.Mapped[Decision] = so.mapped_column(str_enum(Decision))
    comment: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"max_length": 2000})
    actor_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    actor_role: so.Mapped[str] = so.mapped_column(sa.String(24))  # the role when deciding
    at: so.Mapped[datetime]

    actor: so.Mapped["User"] = so.relationship()  # noqa: F821
