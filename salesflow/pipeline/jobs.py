"""The pipeline's scheduled jobs (scheduler/registry.py names them): the daily snapshot of the
open deals, the deals past their stage's time limit, and each director's weekly digest. Each
takes the moment it runs for and returns a one-line summary."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import ngettext

from salesflow import clock, links
from salesflow.accounts.models import Account
from salesflow.dependency.models import AccountSnapshot
from salesflow.extensions import db
from salesflow.interactions.models import Interaction
from salesflow.notifications.models import Notification
from salesflow.notifications.services import Notice, notify_many
from salesflow.opportunities import rules
from salesflow.opportunities.models import Opportunity, OpportunityRole, Status, TriangleRole
from salesflow.pipeline import aggregate, figures, snapshots
from salesflow.teams.models import Team

BREACH_KINDS = ("stage_sla_breach", "stage_sla_breaches")


def pipeline_snapshot(now: datetime) -> str:
    n = snapshots.take(now=now)
    return ngettext("%(num)d open opportunity", "%(num)d open opportunities", n)


def pipeline_moves(now: datetime) -> str:
    """Rebuild the daily aggregate of moves up to yesterday (the review reads it)."""
    n = aggregate.rebuild(now=now)
    return ngettext("%(num)d row of daily moves", "%(num)d rows of daily moves", n)


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


@dataclass(frozen=True)
class _Breach:
    """A deal over its stage's limit, as the breach notification names it."""

    name: str
    account: str
    stage: Any  # the stage's name by language
    days: int
    sla: int
    passed_at: datetime  # when it went over: entering the stage + its sla_days


def _breaches(now: datetime) -> tuple[list[tuple[_Breach, set[int]]], dict[int, set[int]]]:
    """Every open deal over its stage's limit with the people told of it (its AR and the team's
    director), and each director's teams. Two queries."""
    versions = figures.versions()
    deals = db.session.execute(
        sa.select(
            Opportunity.id,
            Opportunity.name,
            Account.name,
            Opportunity.playbook_version_id,
            Opportunity.stage_key,
            Opportunity.stage_entered_at,
            Team.id,
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
    found, directs = [], defaultdict(set)
    for deal_id, name, account, version_id, stage_key, entered, team_id, director_id in deals:
        stage = versions[version_id].stage(stage_key)
        if director_id:
            directs[director_id].add(team_id)
        breach = _Breach(
            name=name,
            account=account,
            stage=dict(stage.name),
            days=rules.days_in_stage(entered, now),
            sla=stage.sla_days,
            passed_at=entered + timedelta(days=stage.sla_days),
        )
        found.append((breach, ars[deal_id] | ({director_id} if director_id else set())))
    return found, directs


def _last_told(people: set[int], kinds: tuple[str, ...] = BREACH_KINDS) -> dict[int, datetime]:
    """When each person was last told of `kinds` (by default breaches, either kind, so the
    grouped message follows the one per deal it replaced), a batch of people at a time."""
    told: dict[int, datetime] = {}
    wanted = sorted(people)
    for start in range(0, len(wanted), 2000):
        told |= dict(
            db.session.execute(
                sa.select(Notification.user_id, sa.func.max(Notification.created_at))
                .where(
                    Notification.kind.in_(kinds),
                    Notification.user_id.in_(wanted[start : start + 2000]),
                )
                .group_by(Notification.user_id)
            ).all()
        )
    return told


def _breach_link(person: int, directs: dict[int, set[int]]) -> str:
    """The review's list of deals over their limit, narrowed to the person: a director's team,
    a rep's own deals."""
    teams = directs.get(person, set())
    if not teams:
        return links.path("pipeline.deals", figure="late", user_id=person)
    team = {"team_id": next(iter(teams))} if len(teams) == 1 else {}
    return links.path("pipeline.deals", figure="late", **team)


def stage_sla_breaches(now: datetime) -> str:
    """Deals longer in their stage than its sla_days, told to their AR and the team's director
    grouped: one notification per person per company day ("25 deals passed their stage's limit",
    naming the most overdue deal with its account), linking to the list of them. Each deal's stay
    is told once: a person hears of the deals that went over since they were last told (the key,
    per person and day, keeps a second run from telling twice). Five queries."""
    found, directs = _breaches(now)
    told = _last_told({person for _breach, people in found for person in people})
    new: dict[int, list[_Breach]] = defaultdict(list)
    for breach, people in found:
        for person in people:
            last = told.get(person)
            if last is None or breach.passed_at >= last:
                new[person].append(breach)
    day = clock.today(now).isoformat()
    notices = []
    for person, breaches in sorted(new.items()):
        first = min(breaches, key=lambda b: (b.passed_at, b.name))  # the longest over its limit
        notices.append(
            Notice(
                (person,),
                "stage_sla_breaches",
                key=f"sla:{day}",
                link=_breach_link(person, directs),
                params={
                    "count": len(breaches),
                    "deal": first.name,
                    "account": first.account,
                    "stage": first.stage,
                    "days": first.days,
                    "sla": first.sla,
                },
            )
        )
    count = notify_many(notices, now=now)
    return ngettext("%(num)d notification", "%(num)d notifications", count)


def close_dates_passed(now: datetime) -> str:
    """Each AR of open deals whose expected close date has passed (before today on the company
    calendar) is nudged once a day: how many passed since they were last told, naming the one
    that passed first with its account, linking to the list of their overdue deals, so they
    update the date or close the deal. Three queries."""
    today = clock.today(now)
    rows = db.session.execute(
        sa.select(
            Opportunity.name, Account.name, Opportunity.expected_close, OpportunityRole.user_id
        )
        .join(Account, Account.id == Opportunity.account_id)
        .join(
            OpportunityRole,
            (OpportunityRole.opportunity_id == Opportunity.id)
            & (OpportunityRole.role == TriangleRole.AR),
        )
        .where(
            Opportunity.status == Status.open,
            Opportunity.deleted_at.is_(None),
            Account.deleted_at.is_(None),
            Opportunity.expected_close < today,
        )
        .order_by(Opportunity.expected_close, Opportunity.id)
    ).all()
    told = {
        user_id: clock.today(at)
        for user_id, at in _last_told({row[3] for row in rows}, ("close_date_passed",)).items()
    }
    overdue: dict[int, int] = defaultdict(int)
    new: dict[int, list[Any]] = defaultdict(list)
    for name, account, close, person in rows:
        overdue[person] += 1
        if person not in told or close >= told[person]:  # passed since they were last told
            new[person].append((name, account, close))
    notices = [
        Notice(
            (person,),
            "close_date_passed",
            key=f"close:{today.isoformat()}",
            link=links.path("pipeline.deals", figure="overdue", user_id=person),
            params={
                "count": len(deals),
                "overdue": overdue[person],
                "deal": deals[0][0],
                "account": deals[0][1],
                "date": deals[0][2].isoformat(),
            },
        )
        for person, deals in sorted(new.items())
    ]
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
    linking to the team's pipeline review. Once per ISO week; a handful of grouped queries for
    all teams."""
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
            link=links.path("pipeline.review", team_id=team_id),
            params={
                "team": name,
                **{what: by_team.get(team_id, 0) for what, by_team in counts.items()},
            },
        )
        for team_id, name, director_id in teams
    ]
    count = notify_many(notices, now=now)
    return ngettext("%(num)d notification", "%(num)d notifications", count)
