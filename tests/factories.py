"""Plain typed builders for test data: keyword-only, sensible defaults, flush not commit."""

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal

from salesflow import clock
from salesflow.accounts.models import Account, AccountMember, TeamRole, Tier
from salesflow.auth.models import Role, User
from salesflow.auth.services import hash_password
from salesflow.contacts.models import Attitude, Contact, DecisionRole, Influence, Level
from salesflow.extensions import db
from salesflow.interactions.models import Interaction, Kind
from salesflow.teams.models import Team

PASSWORD = "correct-horse-9"
_PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose
_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def make_team(*, name: str | None = None, director: User | None = None) -> Team:
    team = Team(name=name or f"Team {_n()}", director_id=director.id if director else None)
    db.session.add(team)
    db.session.flush()
    return team


def make_user(
    *,
    role: Role | str = Role.rep,
    team: Team | None = None,
    name: str | None = None,
    email: str | None = None,
    active: bool = True,
    locale: str | None = None,
) -> User:
    n = _n()
    user = User(
        name=name or f"User {n}",
        email=(email or f"user{n}@example.com").lower(),
        password_hash=_PASSWORD_HASH,
        role=Role(role),
        team_id=team.id if team else None,
        active=active,
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_account(
    *,
    team: Team,
    name: str | None = None,
    tier: Tier | str = Tier.B,
    industry: str | None = "Manufacturing",
    members: dict[User, TeamRole | str] | None = None,
    deleted: bool = False,
) -> Account:
    account = Account(
        name=name or f"Account {_n()}",
        team_id=team.id,
        tier=Tier(tier),
        industry=industry,
        deleted_at=clock.now() if deleted else None,
    )
    db.session.add(account)
    db.session.flush()
    for user, role in (members or {}).items():
        db.session.add(AccountMember(account_id=account.id, user_id=user.id, role=TeamRole(role)))
    db.session.flush()
    return account


def make_contact(
    *,
    account: Account,
    name: str | None = None,
    decision_role: DecisionRole | str = DecisionRole.unknown,
    influence: Influence | str = Influence.medium,
    attitude: Attitude | str = Attitude.unknown,
    level: Level | str | None = None,
    reports_to: Contact | None = None,
    title: str | None = None,
    left_on: date | None = None,
    deleted: bool = False,
) -> Contact:
    contact = Contact(
        account_id=account.id,
        name=name or f"Contact {_n()}",
        title=title,
        decision_role=DecisionRole(decision_role),
        influence=Influence(influence),
        attitude=Attitude(attitude),
        level=Level(level) if level else None,
        reports_to_id=reports_to.id if reports_to else None,
        left_on=left_on,
        deleted_at=clock.now() if deleted else None,
    )
    db.session.add(contact)
    db.session.flush()
    return contact


def make_interaction(
    *,
    account: Account,
    owner: User,
    participants: list[User] | None = None,
    contacts: list[Contact] | None = None,
    kind: Kind | str = Kind.visit,
    occurred_at: datetime | None = None,
    days_ago: float | None = None,
    summary: str = "Met to discuss the project",
    next_step: str | None = None,
    next_step_due: date | None = None,
    cost: Decimal | None = None,
    deleted: bool = False,
) -> Interaction:
    if occurred_at is None:
        occurred_at = clock.now() - timedelta(days=days_ago or 0)
    interaction = Interaction(
        account_id=account.id,
        owner_id=owner.id,
        kind=Kind(kind),
        occurred_at=occurred_at,
        summary=summary,
        next_step=next_step,
        next_step_due=next_step_due,
        cost=cost,
        deleted_at=clock.now() if deleted else None,
    )
    interaction.participants = list(participants if participants is not None else [owner])
    interaction.attendees = list(contacts or [])
    db.session.add(interaction)
    db.session.flush()
    return interaction
