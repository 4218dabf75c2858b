"""A request between our people and its history of status changes."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.db import VersionMixin, str_enum
from salesflow.extensions import db


class Status(StrEnum):
    open = "open"
    accepted = "accepted"
    in_progress = "in_progress"
    on_hold = "on_hold"
    done = "done"
    declined = "declined"
    cancelled = "cancelled"


OPEN_STATUSES = frozenset({Status.open, Status.accepted, Status.in_progress, Status.on_hold})
CLOSED = frozenset({Status.done, Status.declined, Status.cancelled})
RATEABLE = frozenset({Status.done, Status.declined})
DECISION = "decision"  # the kind of a request for a playbook decision


class InternalRequest(VersionMixin, db.Model):
    """One request from a requester to an assignee about an account (and perhaps a deal),
    needed by a date. A decision request (kind `decision`) names the deal's decision point."""

    __tablename__ = "internal_requests"
    __table_args__ = (
        sa.Index("ix_internal_requests_assignee", "assignee_id", "status"),
        sa.Index("ix_internal_requests_requester", "requester_id", "status"),
        sa.Index("ix_internal_requests_opportunity", "opportunity_id"),
        # the pending decisions, oldest first (opportunities.decisions.pending_query)
        sa.Index("ix_internal_requests_kind_status", "kind", "status", "created_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    details: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"max_length": 5000})
    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("accounts.id"), index=True)
    opportunity_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("opportunities.id"))
    stage_key: so.Mapped[str | None] = so.mapped_column(sa.String(60))
    gate_key: so.Mapped[str | None] = so.mapped_column(sa.String(60))
    requester_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    assignee_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    needed_by: so.Mapped[date]
    rush: so.Mapped[bool] = so.mapped_column(default=False)
    rush_reason: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"max_length": 2000})
    status: so.Mapped[Status] = so.mapped_column(str_enum(Status), default=Status.open)
    # the latest reason given for a hold, a decline or a cancellation
    reason: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"max_length": 2000})
    # what was delivered (done); for a decision, the decision and its comment
    delivered: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"max_length": 5000})
    created_at: so.Mapped[datetime]
    accepted_at: so.Mapped[datetime | None]
    done_at: so.Mapped[datetime | None]  # when it became done or declined
    rating: so.Mapped[int | None]
    rating_comment: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"max_length": 2000})
    rating_at: so.Mapped[datetime | None]
    rating_dismissed: so.Mapped[bool] = so.mapped_column(default=False)

    account: so.Mapped["Account"] = so.relationship()  # noqa: F821
    opportunity: so.Mapped["Opportunity | None"] = so.relationship()  # noqa: F821
    requester: so.Mapped["User"] = so.relationship(foreign_keys=[requester_id])  # noqa: F821
    assignee: so.Mapped["User"] = so.relationship(foreign_keys=[assignee_id])  # noqa: F821

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_decision(self) -> bool:
        return self.kind == DECISION

    def __repr__(self) -> str:
        return f"<InternalRequest {self.id} {self.kind} {self.status}>"


class RequestChange(db.Model):
    """One change of a request's status: from, to, who, when, and the words given with it."""

    __tablename__ = "internal_request_changes"
    __table_args__ = (sa.Index("ix_internal_request_changes_request", "request_id", "id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    request_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("internal_requests.id"))
    from_status: so.Mapped[Status | None] = so.mapped_column(str_enum(Status))
    to_status: so.Mapped[Status] = so.mapped_column(str_enum(Status))
    comment: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"max_length": 5000})
    actor_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    at: so.Mapped[datetime]

    actor: so.Mapped["User"] = so.relationship()  # noqa: F821
