"""Scoped reads of interactions: timelines, My day, the quick log's choices, the API list."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow import scope
from salesflow.accounts.models import Account, AccountMember
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.interactions.models import (
    Interaction,
    interaction_attendees,
    interaction_participants,
)

# My day looks this far ahead for open next steps, and this far back for my recent contacts.
UPCOMING_DAYS = 7
RECENT_DAYS = 14


def _loaded(query: sa.Select[Any]) -> sa.Select[Any]:
    """The account, our participants and their attendees, in three extra queries in all."""
    return query.options(
        so.joinedload(Interaction.account),
        so.selectinload(Interaction.participants),
        so.selectinload(Interaction.attendees),
    )


def _visible(user: User) -> sa.Select[Any]:
    return sa.select(Interaction).where(
        Interaction.account_id.in_(scope.visible_account_ids(user)),
        Interaction.deleted_at.is_(None),
    )


def _with_contact(contact_id: int) -> sa.ColumnElement[bool]:
    attendees = interaction_attendees.c
    return Interaction.id.in_(
        sa.select(attendees.interaction_id).where(attendees.contact_id == contact_id)
    )


def _took_part(user: User) -> sa.ColumnElement[bool]:
    participants = interaction_participants.c
    return Interaction.id.in_(
        sa.select(participants.interaction_id).where(participants.user_id == user.id)
    )


def timeline(
    user: User,
    *,
    account_id: int | None = None,
    contact_id: int | None = None,
    opportunity_id: int | None = None,
    before: int | None = None,
    limit: int = 30,
) -> list[Interaction]:
    """The interactions `user` may see (not deleted), of one account, with one contact and/or on
    one opportunity, newest first (ties by id), participants and attendees loaded with them: at
    most `limit`, and only those older than interaction `before` (a keyset: no entry twice and
    none skipped across pages, also at equal times; an unknown `before` starts at the newest)."""
    # Joined to its account under the scope (one row looked up by key), not matched against the
    # list of every visible account's id, which SQLite builds for each request.
    query = (
        sa.select(Interaction)
        .join(Account, Account.id == Interaction.account_id)
        .where(scope.visible_accounts(user), Interaction.deleted_at.is_(None))
    )
    if account_id is not None:
        query = query.where(Interaction.account_id == account_id)
    if opportunity_id is not None:
        query = query.where(Interaction.opportunity_id == opportunity_id)
    if contact_id is not None:
        query = query.where(_with_contact(contact_id))
    anchor = _anchor(before)
    if anchor is not None:
        at, last_id = anchor
        query = query.where(
            sa.or_(
                Interaction.occurred_at < at,
                sa.and_(Interaction.occurred_at == at, Interaction.id < last_id),
            )
        )
    query = query.order_by(Interaction.occurred_at.desc(), Interaction.id.desc()).limit(limit)
    return list(
        db.session.scalars(
            query.options(
                so.contains_eager(Interaction.account),
                so.selectinload(Interaction.participants),
                so.selectinload(Interaction.attendees),
            )
        )
    )


def _anchor(before: int | None) -> tuple[datetime, int] | None:
    """Where a timeline page starts: the time and id of interaction `before`, if it exists."""
    if before is None:
        return None
    at = db.session.scalar(sa.select(Interaction.occurred_at).where(Interaction.id == before))
    return None if at is None else (at, before)


def is_open_step(interaction: Interaction) -> bool:
    """Interaction.has_open_step, for templates and views given one loaded interaction."""
    return interaction.has_open_step


@dataclass
class OpenSteps:
    """My open next steps for My day: those due up to a week ahead and the newest overdue ones
    (at most OVERDUE_LIMIT), with how many are overdue in all."""

    steps: list[Interaction] = field(default_factory=list)
    overdue_count: int = 0


# A rep with more overdue steps than this sees the count, and the newest this many.
OVERDUE_LIMIT = 200


def open_steps(user: User, *, today: date, limit: int = 100) -> OpenSteps:
    """My open next steps (I logged them, not done, not deleted): due from today to a week
    ahead (soonest first, at most `limit`), and overdue (Interaction.step_overdue, newest first,
    at most OVERDUE_LIMIT) with their count; in three queries and the loading of the rows."""
    mine = _visible(user).where(Interaction.owner_id == user.id, Interaction.has_open_step)
    ahead = mine.where(
        Interaction.next_step_due >= today,
        Interaction.next_step_due <= today + timedelta(days=UPCOMING_DAYS),
    ).order_by(Interaction.next_step_due, Interaction.id)
    late = mine.where(Interaction.step_overdue(today)).order_by(
        Interaction.next_step_due.desc(), Interaction.id.desc()
    )
    count = sa.select(sa.func.count()).select_from(late.order_by(None).subquery())
    return OpenSteps(
        steps=[
            *db.session.scalars(_loaded(ahead.limit(limit))),
            *db.session.scalars(_loaded(late.limit(OVERDUE_LIMIT))),
        ],
        overdue_count=db.session.scalar(count) or 0,
    )


def recent_contacts(user: User, *, now: datetime, limit: int = 100) -> list[Interaction]:
    """The contacts I took part in over the last two weeks, newest first."""
    recent = _loaded(
        _visible(user)
        .where(_took_part(user), Interaction.occurred_at >= now - timedelta(days=RECENT_DAYS))
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(recent))


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def account_search(user: User, q: str | None, *, limit: int = 20) -> list[Account]:
    """Accounts `user` may see matching `q` (all when empty), those on my account team first."""
    mine = sa.select(AccountMember.account_id).where(AccountMember.user_id == user.id)
    query = sa.select(Account).where(scope.visible_accounts(user))
    if q and q.strip():
        query = query.where(Account.name.ilike(_like(q.strip()), escape="\\"))
    order = sa.case((Account.id.in_(mine), 0), else_=1)
    return list(db.session.scalars(query.order_by(order, Account.name, Account.id).limit(limit)))


def team_users(account_id: int, *, also: set[int] | None = None) -> list[User]:
    """Our people who may be ticked as participants: the account team (active) and `also`
    (me, and whoever is already on the record), by name, in one query."""
    members = sa.select(AccountMember.user_id).where(AccountMember.account_id == account_id)
    rule = sa.and_(User.id.in_(members), User.active.is_(True))
    if also:
        rule = sa.or_(rule, User.id.in_(also))
    return list(db.session.scalars(sa.select(User).where(rule).order_by(User.name, User.id)))


def list_query(
    user: User,
    *,
    account_id: int | None = None,
    contact_id: int | None = None,
    mine: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
) -> sa.Select[Any]:
    """The interactions `user` may see (not deleted), filtered; for the API's list."""
    query = _visible(user).options(
        so.selectinload(Interaction.participants),
        so.selectinload(Interaction.attendees),
        so.selectinload(Interaction.spend_shares),
    )
    if account_id is not None:
        query = query.where(Interaction.account_id == account_id)
    if contact_id is not None:
        query = query.where(_with_contact(contact_id))
    if mine:
        query = query.where(sa.or_(Interaction.owner_id == user.id, _took_part(user)))
    if since is not None:
        query = query.where(Interaction.occurred_at >= since)
    if until is not None:
        query = query.where(Interaction.occurred_at < until)
    return query
