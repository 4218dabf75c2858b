"""Key accounts' scheduled jobs. The account plan's weekly one: the ARs of an account and its
team's director are told of its plan's objectives falling behind (key_accounts.plans_progress),
once per account and ISO week. Set-wise: the year's plans, their facts, the ARs and directors
in a fixed number of queries."""

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import ngettext

from salesflow import clock, links
from salesflow.accounts.models import Account, AccountMember, TeamRole
from salesflow.extensions import db
from salesflow.key_accounts import plans_progress
from salesflow.key_accounts.plans_models import AccountPlan
from salesflow.notifications.services import Notice, notify_many
from salesflow.teams.models import Team


def _behind(now: datetime) -> list[tuple[AccountPlan, str, list[plans_progress.Measured]]]:
    """This year's plans of accounts not deleted with objectives falling behind, each with its
    account's name and those objectives."""
    year = clock.today(now).year
    rows = db.session.execute(
        sa.select(AccountPlan, Account.name)
        .join(Account, Account.id == AccountPlan.account_id)
        .where(AccountPlan.year == year, Account.deleted_at.is_(None))
        .options(so.selectinload(AccountPlan.objectives))
        .order_by(AccountPlan.id)
    ).all()
    rows = [(plan, name) for plan, name in rows if plan.objectives]
    facts = plans_progress.facts_for({p.account_id for p, _n in rows}, {year}, now=now)
    found = []
    for plan, name in rows:
        late = [m for m in plans_progress.measure(plan, facts[plan.account_id], now) if m.behind]
        if late:
            found.append((plan, name, late))
    return found


def _readers(account_ids: set[int]) -> dict[int, set[int]]:
    """Per account: its ARs and its team's director."""
    readers: dict[int, set[int]] = defaultdict(set)
    if not account_ids:
        return readers
    ars = sa.select(AccountMember.account_id, AccountMember.user_id).where(
        AccountMember.account_id.in_(account_ids), AccountMember.role == TeamRole.AR
    )
    directors = (
        sa.select(Account.id, Team.director_id)
        .join(Team, Team.id == Account.team_id)
        .where(Account.id.in_(account_ids), Team.director_id.is_not(None))
    )
    for account_id, user_id in [*db.session.execute(ars), *db.session.execute(directors)]:
        readers[account_id].add(user_id)
    return readers


def plan_objectives_behind(now: datetime) -> str:
    """Tell each account's ARs and director of its plan's objectives falling behind this week."""
    year, week, _weekday = clock.today(now).isocalendar()
    behind = _behind(now)
    readers = _readers({plan.account_id for plan, _n, _l in behind})
    notices = [
        Notice(
            tuple(sorted(readers[plan.account_id])),
            "plan_objectives_behind",
            key=f"plan_behind:{plan.account_id}:{year}-W{week:02d}",
            link=links.path("plans.page", account_id=plan.account_id, year=plan.year),
            params={"account": name, "count": len(late), "title": late[0].objective.title},
        )
        for plan, name, late in behind
        if readers[plan.account_id]
    ]
    count = notify_many(notices, now=now)
    return ngettext("%(num)d notification", "%(num)d notifications", count)
