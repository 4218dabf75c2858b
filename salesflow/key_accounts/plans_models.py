"""The yearly account plan (MCR): vision, priorities, the relationship SWOT, and relationship
objectives whose progress is measured from the contacts, ties and interactions — never ticked."""

from datetime import date
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.db import TimestampMixin, VersionMixin, str_enum
from salesflow.extensions import db


class ObjectiveKind(StrEnum):
    contact_attitude = "contact_attitude"  # params: contact_id, attitude (at least)
    decision_makers_held = "decision_makers_held"  # params: people (each held by at least)
    executive_exchange = "executive_exchange"  # params: none (one every quarter of the year)


TEXTS = ("vision", "priorities", "strengths", "weaknesses", "opportunities", "threats")


class AccountPlan(TimestampMixin, VersionMixin, db.Model):
    """One plan per account and year; PUT replaces its texts and objectives."""

    __tablename__ = "account_plans"
    __table_args__ = (sa.UniqueConstraint("account_id", "year"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("accounts.id"))
    year: so.Mapped[int]
    vision: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"max_length": 5000})
    priorities: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"max_length": 5000})
    strengths: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"max_length": 5000})
    weaknesses: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"max_length": 5000})
    opportunities: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"max_length": 5000})
    threats: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"max_length": 5000})

    objectives: so.Mapped[list["PlanObjective"]] = so.relationship(
        order_by="PlanObjective.id", cascade="all, delete-orphan", back_populates="plan"
    )


class PlanObjective(db.Model):
    __tablename__ = "plan_objectives"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("account_plans.id"), index=True)
    kind: so.Mapped[ObjectiveKind] = so.mapped_column(str_enum(ObjectiveKind))
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    due: so.Mapped[date]
    params: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)

    plan: so.Mapped[AccountPlan] = so.relationship(back_populates="objectives")
