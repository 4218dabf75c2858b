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
from salesflow.opportunities.models import Opportunity, OpportunityRole, Status, TriangleRole
from salesflow.playbooks import registry
from salesflow.teams.models import Team
from salesflow.ties import touches

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
    opportunity: Opportunity | None = None,
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
        opportunity_id=opportunity.id if opportunity else None,
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
    touches.apply(touches.pairs(interaction))  # as the services do
    return interaction


def make_opportunity(
    *,
    account: Account,
    playbook: str = "enterprise",
    stage: str | None = None,
    name: str | None = None,
    amount: Decimal | int | None = 100_000,
    currency: str = "CNY",
    expected_close: date | None = date(2027, 3, 31),
    customer_need: str | None = "Replace the ageing control system",
    competitors: str | None = None,
    roles: dict[User, TriangleRole | str] | None = None,
    status: Status | str = Status.open,
    days_in_stage: float = 0,
    deleted: bool = False,
) -> Opportunity:
    """A deal on the newest version of a shipped playbook, in its first stage unless `stage`."""
    version = registry.stored_version(registry.file_playbooks()[playbook], now=clock.now())
    parsed = registry.playbook(version)
    opportunity = Opportunity(
        account_id=account.id,
        playbook_version_id=version.id,
        name=name or f"Opportunity {_n()}",
        amount=Decimal(amount) if amount is not None else None,
        currency=currency,
        expected_close=expected_close,
        customer_need=customer_need,
        competitors=competitors,
        stage_key=parsed.stage(stage).key if stage else parsed.first_stage.key,
        stage_entered_at=clock.now() - timedelta(days=days_in_stage),
        status=Status(status),
        closed_at=clock.now() if Status(status) != Status.open else None,
        deleted_at=clock.now() if deleted else None,
    )
    opportunity.roles = [
        OpportunityRole(user_id=user.id, role=TriangleRole(role))
        for user, role in (roles or {}).items()
    ]
    db.session.add(opportunity)
    db.session.flush()
    return opportunity
