"""The review's filters and the deals they select: the deals a user may see, narrowed by team,
person and playbook; the period the period figures count; the playbook order of the stages."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from salesflow import clock, scope
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.opportunities.models import Opportunity, OpportunityRole
from salesflow.playbooks import registry
from salesflow.playbooks.models import PlaybookVersion
from salesflow.playbooks.schema import Playbook

PERIOD_DAYS = 90


def versions() -> dict[int, Playbook]:
    """Every stored playbook version, parsed (cached by the registry)."""
    return {v.id: registry.playbook(v) for v in db.session.scalars(sa.select(PlaybookVersion))}


@dataclass(frozen=True)
class Filters:
    team_id: int | None = None
    user_id: int | None = None  # deals where this person holds a role
    playbook: str | None = None  # a playbook key
    start: date | None = None  # the period of the period figures, both days included
    end: date | None = None


def deals_where(user: User, filters: Filters, by_version: dict[int, Playbook]) -> list[Any]:
    """The deals `user` may see (not deleted), narrowed by the filters; joins Account."""
    where: list[Any] = [scope.visible_accounts(user), Opportunity.deleted_at.is_(None)]
    if filters.team_id:
        where.append(Account.team_id == filters.team_id)
    if filters.user_id:
        held = sa.select(OpportunityRole.opportunity_id).where(
            OpportunityRole.user_id == filters.user_id
        )
        where.append(Opportunity.id.in_(held))
    if filters.playbook:
        where.append(Opportunity.playbook_version_id.in_(versions_of(by_version, filters.playbook)))
    return where


def versions_of(by_version: dict[int, Playbook], key: str) -> list[int]:
    return [v for v, p in by_version.items() if p.key == key]


def period(filters: Filters, now: datetime) -> tuple[datetime, datetime]:
    """The period as a half-open range of moments: from the start day's midnight to the day
    after the end day, on the company calendar (default: the 90 days up to today)."""
    tz, today = clock.zone(), clock.today(now)
    end = filters.end or today
    start = filters.start or end - timedelta(days=PERIOD_DAYS - 1)
    return (
        datetime.combine(start, datetime.min.time(), tz),
        datetime.combine(end + timedelta(days=1), datetime.min.time(), tz),
    )


def in_period(column: Any, filters: Filters, now: datetime) -> list[sa.ColumnElement[bool]]:
    start, end = period(filters, now)
    return [column >= start, column < end]


def stage_order(by_version: dict[int, Playbook], key: str, stage: str) -> tuple[str, int, str]:
    """Where a stage of playbook `key` is listed: in the newest version's order, the stages only
    older versions have after them."""
    newest = max((p for p in by_version.values() if p.key == key), key=lambda p: p.version)
    keys = [s.key for s in newest.stages]
    return (key, keys.index(stage) if stage in keys else len(keys), stage)
