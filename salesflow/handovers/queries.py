"""Scoped reads for handover pages and the API: lists, a person's accounts, risks now."""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow import scope
from salesflow.accounts.models import Account, AccountMember
from salesflow.audit.models import AuditEntry
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.handovers.models import Handover, HandoverAccount
from salesflow.opportunities.models import Opportunity, OpportunityRole, Status
from salesflow.teams.models import Team
from salesflow.ties.queries import tied_accounts

# The audit action of a planned joint contact (services.plan_joint_contact).
PLAN_ACTION = "plan_joint"


def loaded(query: sa.Select[Any]) -> sa.Select[Any]:
    """Handovers with their people and account links, in a few queries for a whole page."""
    return query.options(
        so.joinedload(Handover.from_user),
        so.joinedload(Handover.to_user),
        so.joinedload(Handover.created_by),
        so.selectinload(Handover.accounts).joinedload(HandoverAccount.account),
    )


def list_query(user: User) -> sa.Select[Any]:
    """The handovers `user` may see (scope.visible_handovers)."""
    return loaded(sa.select(Handover).where(scope.visible_handovers(user)))


def page(user: User, *, before: int | None = None, limit: int = 50) -> tuple[list[Handover], bool]:
    """Newest first, a keyset page of `limit` before id `before`; (handovers, more)."""
    query = list_query(user)
    if before is not None:
        query = query.where(Handover.id < before)
    rows = db.session.scalars(query.order_by(Handover.id.desc()).limit(limit + 1)).unique().all()
    return list(rows[:limit]), len(rows) > limit


def plannable_accounts(actor: User) -> sa.ColumnElement[bool]:
    """Accounts `actor` may hand over: a director's team's, everyone's for leadership and
    admins (deleted ones never)."""
    return scope.visible_accounts(actor)


def accounts_of(user_id: int, *, actor: User, now: datetime) -> list[Account]:
    """The accounts of a person, among those `actor` may hand over: on the account team, in a
    role on an open deal, or with a live tie (a shared interaction inside the tie window)."""
    team = sa.select(AccountMember.account_id).where(AccountMember.user_id == user_id)
    deals = (
        sa.select(Opportunity.account_id)
        .join(OpportunityRole, OpportunityRole.opportunity_id == Opportunity.id)
        .where(
            OpportunityRole.user_id == user_id,
            Opportunity.status == Status.open,
            Opportunity.deleted_at.is_(None),
        )
    )
    ids = sa.union(team, deals, tied_accounts([user_id], now=now)).subquery()
    return list(
        db.session.scalars(
            sa.select(Account)
            .where(Account.id.in_(sa.select(ids.c[0])), plannable_accounts(actor))
            .options(so.joinedload(Account.team))
            .order_by(Account.name, Account.id)
        )
    )


def people_for(actor: User, *, active_only: bool) -> list[User]:
    """Whom `actor` may hand over from (anyone, leavers included) or to (active only): a
    director's own team, everyone for leadership and admins."""
    query = sa.select(User).where(scope.handover_people(actor))
    if active_only:
        query = query.where(User.active.is_(True))
    return list(db.session.scalars(query.order_by(User.name, User.id)))


def team_directors(team_ids: set[int | None]) -> list[User]:
    """The directors of these teams."""
    ids = {t for t in team_ids if t is not None}
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(User).join(Team, Team.director_id == User.id).where(Team.id.in_(ids))
        )
    )


def planned_joint_contacts(handover_ids: set[int]) -> dict[tuple[int, int], date]:
    """The latest planned day of each (handover, contact)'s joint contact (services.
    plan_joint_contact), one query for any number of handovers."""
    if not handover_ids:
        return {}
    rows = db.session.execute(
        sa.select(AuditEntry.entity_id, AuditEntry.changes)
        .where(
            AuditEntry.entity_type == Handover.__tablename__,
            AuditEntry.entity_id.in_(handover_ids),
            AuditEntry.action == PLAN_ACTION,
        )
        .order_by(AuditEntry.id)
    )
    planned: dict[tuple[int, int], date] = {}
    for handover_id, changes in rows:
        contact_id, due = changes["contact_id"][1], changes["due"][1]
        planned[(handover_id, contact_id)] = date.fromisoformat(due)
    return planned


def received(user: User, *, limit: int = 10) -> list[Handover]:
    """The handovers `user` takes over that are not yet seen complete, the soonest due first
    (My day)."""
    query = (
        loaded(sa.select(Handover))
        .where(Handover.to_user_id == user.id, Handover.completed_at.is_(None))
        .order_by(Handover.due_date, Handover.id)
        .limit(limit)
    )
    return list(db.session.scalars(query).unique())
