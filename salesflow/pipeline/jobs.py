"""The pipeline's scheduled jobs (scheduler/registry.py names them): the daily snapshot of the
open deals, the deals past their stage's time limit, and each director's weekly digest. Each
takes the moment it runs for and returns a one-line summary."""

from collections import defaultdict
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import ngettext

from salesflow import clock, links
from salesflow.accounts.models import Account
from salesflow.dependency.models import AccountSnapshot
from salesflow.extensions import db
from salesflow.interactions.models import Interaction
from salesflow.notifications.services import Notice, notify_many
from salesflow.opportunities import rules
from salesflow.opportunities.models import Opportunity, OpportunityRole, Status, TriangleRole
from salesflow.pipeline import figures, snapshots
from salesflow.teams.models import Team


def pipeline_snapshot(now: datetime) -> str:
    n = snapshots.take(now=now)
    return ngettext("%(num)d open opportunity", "%(num)d open opportunities", n)


def _ars(deal_ids: list[int]) -> dict[int, set[int]]:
    """The AR seats of the deals, a batch of ids at a time."""
    ars: dict[int, set[int]] = defaultdict(set)
    for start in range(0, len(deal_ids), 2000):
        for deal_id, user_id in db.session.execute(
            sa.select(OpportunityRole.opportunity_id, OpportunityRole.user_id).where(
                OpportunityRole.role == TriangleRole.AR,
                OpportunityRole.opportunity_id.in_(deal_ids[start : start + 2000]),
            )
        ):
            ars[deal_id].add(user_id)
    return ars


def stage_sla_breaches(now: datetime) -> str:
    """Open deals longer in their stage than its sla_days: their AR and the team's director are
    told once per stay in the stage (the key holds when the deal entered it). Four queries."""
    versions = figures.versions()
    deals = db.session.execute(
        sa.select(
            Opportunity.id,
            Opportunity.name,
            Opportunity.playbook_version_id,
            Opportunity.stage_key,
            Opportunity.stage_entered_at,
            Team.director_id,
        )
        .join(Account, Account.id == Opportunity.account_id)
        .join(Team, Team.id == Account.team_id)
        .where(
            Opportunity.status == Status.open,
            Opportunity.deleted_at.is_(None),
            Account.deleted_at.is_(None),
            rules.over_limit_sql(versions, now),
        )
        .order_by(Opportunity.id)
    ).all()
    ars = _ars([deal.id for deal in deals])
    notices = []
    for deal_id, name, version_id, stage_key, entered, director_id in deals:
        stage = versions[version_id].stage(stage_key)
        people = ars[deal_id] | ({director_id} if director_id else set())
        stay = f"sla:{deal_id}:{stage_key}:{entered:%Y%m%d%H%M%S}"
        notices.append(
            Notice(
                tuple(people),
                "stage_sla_breach",
                key=stay,
                link=links.path("opportunities.detail", opportunity_id=deal_id),
                params={
                    "deal": name,
                    "stage": dict(stage.name),
                    "days": rules.days_in_stage(entered, now),
                    "sla": stage.sla_days,
                },
            )
        )
    count = notify_many(notices, now=now)
    return ngettext("%(num)d notification", "%(num)d notifications", count)


def _per_team(query: sa.Select[Any]) -> dict[int, int]:
    return {team: int(n) for team, n in db.session.execute(query.group_by(Account.team_id))}


def _week_counts(today: date, now: datetime) -> dict[str, dict[int, int]]:
    """Per team: open deals, those past their stage's limit, overdue next steps, and accounts at
    high risk in the latest dependency snapshot. A grouped query each."""
    open_deals = (
        Opportunity.status == Status.open,
        Opportunity.deleted_at.is_(None),
        Account.deleted_at.is_(None),
    )
    deals = (
        sa.select(Account.team_id, sa.func.count(Opportunity.id))
        .join(Account, Account.id == Opportunity.account_id)
        .where(*open_deals)
    )
    steps = (
        sa.select(Account.team_id, sa.func.count(Interaction.id))
        .join(Account, Account.id == Interaction.account_id)
        .where(
            Interaction.step_overdue(today),
            Account.deleted_at.is_(None),
        )
    )
    latest = sa.select(sa.func.max(AccountSnapshot.day)).where(AccountSnapshot.day <= today)
    risky = {
        team: int(n)
        for team, n in db.session.execute(
            sa.select(AccountSnapshot.team_id, sa.func.count())
            .where(AccountSnapshot.day == latest.scalar_subquery(), AccountSnapshot.risk == "high")
            .group_by(AccountSnapshot.team_id)
        )
    }
    return {
        "deals": _per_team(deals),
        "breaches": _per_team(deals.where(rules.over_limit_sql(figures.versions(), now))),
        "steps": _per_team(steps),
        "risky": risky,
    }


def weekly_digest(now: datetime) -> str:
    """Each team's director: the week's summary of their team (open deals, deals past their
    stage's limit, overdue next steps, high-risk accounts in the latest dependency snapshot),
    linking to the pipeline. Once per ISO week; a handful of grouped queries for all teams."""
    today = clock.today(now)
    year, week, _weekday = today.isocalendar()
    counts = _week_counts(today, now)
    teams = db.session.execute(
        sa.select(Team.id, Team.name, Team.director_id).where(Team.director_id.is_not(None))
    ).all()
    notices = [
        Notice(
            (director_id,),
            "weekly_digest",
            key=f"digest:{team_id}:{year}-W{week:02d}",
            link=links.path("opportunities.board", team_id=team_id),
            params={
                "team": name,
                **{what: by_team.get(team_id, 0) for what, by_team in counts.items()},
            },
        )
        for team_id, name, director_id in teams
    ]
    count = notify_many(notices, now=now)
    return ngettext("%(num)d notification", "%(num)d notifications", count)
