"""The jobs the scheduler runs (a registry: STYLE.md rule 9). Each takes the moment it runs for
and returns a one-line summary; each is idempotent for its period (a snapshot replaces the day's,
a notification carries a key), and the runner makes each period's run happen once."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from salesflow.accounts.models import Account, AccountMember, TeamRole, Tier
from salesflow.contacts.models import Contact
from salesflow.dependency import snapshots as dependency_snapshots
from salesflow.dependency.models import AccountSnapshot, TieTouch
from salesflow.dependency.touches import day_date, day_number
from salesflow.extensions import db
from salesflow.handovers import checklist
from salesflow.handovers import queries as handover_queries
from salesflow.handovers import services as handovers
from salesflow.handovers.models import Handover
from salesflow.interactions.models import Interaction
from salesflow.notifications.services import Notice, notify_many
from salesflow.opportunities.models import Opportunity, OpportunityRole, Status, TriangleRole
from salesflow.pipeline import figures
from salesflow.pipeline import snapshots as pipeline_snapshots
from salesflow.teams.models import Team


@dataclass(frozen=True)
class Job:
    name: str
    period: str  # "day", "week" (company calendar, ISO week) or "interval" (EMAIL_EVERY_MINUTES)
    help: str  # a lazy translation
    run: Callable[[datetime], str]


def _dependency_snapshot(now: datetime) -> str:
    n = dependency_snapshots.take(now=now)
    return ngettext("%(num)d account", "%(num)d accounts", n)


def _pipeline_snapshot(now: datetime) -> str:
    n = pipeline_snapshots.take(now=now)
    return ngettext("%(num)d open opportunity", "%(num)d open opportunities", n)


def _handover_completions(now: datetime) -> str:
    n = handovers.note_completions(now=now)
    return ngettext("%(num)d handover completed", "%(num)d handovers completed", n)


def _stage_sla_breaches(now: datetime) -> str:
    """Open deals longer in their stage than its sla_days: their AR and the team's director are
    told once per stay in the stage (the key holds when the deal entered it). Four queries."""
    versions = figures.versions()
    late = figures.late(versions, now)
    if not late:
        return ngettext("%(num)d notification", "%(num)d notifications", 0)
    deals = db.session.execute(
        sa.select(Opportunity.id, Opportunity.name, Opportunity.playbook_version_id,
                  Opportunity.stage_key, Opportunity.stage_entered_at, Team.director_id)
        .join(Account, Account.id == Opportunity.account_id)
        .join(Team, Team.id == Account.team_id)
        .where(Opportunity.status == Status.open, Opportunity.deleted_at.is_(None),
               Account.deleted_at.is_(None), sa.or_(*late))
        .order_by(Opportunity.id)
    ).all()  # fmt: skip
    ids = [deal.id for deal in deals]
    ars: dict[int, set[int]] = defaultdict(set)
    for start in range(0, len(ids), 2000):
        for deal_id, user_id in db.session.execute(
            sa.select(OpportunityRole.opportunity_id, OpportunityRole.user_id)
            .where(OpportunityRole.role == TriangleRole.AR,
                   OpportunityRole.opportunity_id.in_(ids[start : start + 2000]))
        ):  # fmt: skip
            ars[deal_id].add(user_id)
    notices = []
    for deal_id, name, version_id, stage_key, entered, director_id in deals:
        stage = versions[version_id].stage(stage_key)
        people = ars[deal_id] | ({director_id} if director_id else set())
        stay = f"sla:{deal_id}:{stage_key}:{entered:%Y%m%d%H%M%S}"
        notices.append(Notice(
            tuple(people), "stage_sla_breach", key=stay,
            link=f"/opportunities/{deal_id}",
            params={"deal": name, "stage": dict(stage.name), "days": (now - entered).days,
                    "sla": stage.sla_days},
        ))  # fmt: skip
    count = notify_many(notices, now=now)
    return ngettext("%(num)d notification", "%(num)d notifications", count)


def _overdue_next_steps(now: datetime) -> str:
    """Each owner of open next steps past their due date: one reminder a day with how many and
    the oldest due date, linking to My day. One query to find them."""
    today = day_date(day_number(now))
    owners = db.session.execute(
        sa.select(Interaction.owner_id, sa.func.count(), sa.func.min(Interaction.next_step_due))
        .join(Account, Account.id == Interaction.account_id)
        .where(Interaction.next_step.is_not(None), Interaction.next_step_done_at.is_(None),
               Interaction.next_step_due < today, Interaction.deleted_at.is_(None),
               Account.deleted_at.is_(None))
        .group_by(Interaction.owner_id)
    ).all()  # fmt: skip
    notices = [
        Notice((owner,), "next_steps_overdue", key=f"steps:{today.isoformat()}", link="/",
               params={"count": count, "oldest": oldest.isoformat()})
        for owner, count, oldest in owners
    ]  # fmt: skip
    count = notify_many(notices, now=now)
    return ngettext("%(num)d notification", "%(num)d notifications", count)


def _idle_key_contacts(now: datetime) -> str:
    """Key contacts (decision makers, anyone of high influence) of A-tier accounts nobody of ours
    has met for KEY_CONTACT_IDLE_DAYS, or ever: the account's AR is told once per idle spell (the
    key holds the last contact's day). Three queries."""
    today, idle = day_number(now), current_app.config["KEY_CONTACT_IDLE_DAYS"]
    a_tier = sa.select(Account.id).where(Account.tier == Tier.A, Account.deleted_at.is_(None))
    last = (
        sa.select(TieTouch.contact_id, sa.func.max(TieTouch.day).label("day"))
        .where(TieTouch.account_id.in_(a_tier), TieTouch.day <= today)
        .group_by(TieTouch.contact_id).subquery()
    )  # fmt: skip
    contacts = db.session.execute(
        sa.select(Contact.id, Contact.name, Contact.account_id, Account.name, last.c.day)
        .join(Account, Account.id == Contact.account_id)
        .outerjoin(last, last.c.contact_id == Contact.id)
        .where(Contact.account_id.in_(a_tier), Contact.deleted_at.is_(None),
               Contact.left_on.is_(None),
               (Contact.decision_role == "decision_maker") | (Contact.influence == "high"),
               last.c.day.is_(None) | (last.c.day < today - idle))
        .order_by(Contact.id)
    ).all()  # fmt: skip
    ars: dict[int, set[int]] = defaultdict(set)
    for account_id, user_id in db.session.execute(
        sa.select(AccountMember.account_id, AccountMember.user_id)
        .where(AccountMember.role == TeamRole.AR, AccountMember.account_id.in_(a_tier))
    ):  # fmt: skip
        ars[account_id].add(user_id)
    notices = [
        Notice(tuple(ars[account_id]), "key_contact_idle", link=f"/contacts/{contact_id}",
               key=f"idle:{contact_id}:{day if day is not None else 'never'}",
               params={"contact": name, "account": account_name,
                       "days": None if day is None else today - day})
        for contact_id, name, account_id, account_name, day in contacts
    ]  # fmt: skip
    count = notify_many(notices, now=now)
    return ngettext("%(num)d notification", "%(num)d notifications", count)


def _overdue_handovers(now: datetime) -> str:
    """Handovers past their due date with items the data does not prove yet: the successor and
    the planner are told how many remain, once a week while it stays overdue. A batch of
    handovers at a time, their checklists built set-wise."""
    today = day_date(day_number(now))
    year, week, _weekday = today.isocalendar()
    notices, last = [], 0
    while True:
        batch = db.session.scalars(
            handover_queries.loaded(sa.select(Handover))
            .where(Handover.completed_at.is_(None), Handover.due_date < today, Handover.id > last)
            .order_by(Handover.id).limit(200)
        ).unique().all()  # fmt: skip
        if not batch:
            break
        last = batch[-1].id
        for handover_id, items in checklist.build(batch).items():
            if items.complete:
                continue
            handover = items.handover
            notices.append(Notice(
                (handover.to_user_id, handover.created_by_id), "handover_overdue",
                key=f"handover-overdue:{handover_id}:{year}-W{week:02d}",
                link=f"/handovers/{handover_id}",
                params={"from_user": handover.from_user.name, "to_user": handover.to_user.name,
                        "due": handover.due_date.isoformat(),
                        "open": items.total - items.done, "total": items.total},
            ))  # fmt: skip
    count = notify_many(notices, now=now)
    return ngettext("%(num)d notification", "%(num)d notifications", count)


def _weekly_digest(now: datetime) -> str:
    """Each team's director: the week's summary of their team (open deals, deals past their
    stage's limit, overdue next steps, high-risk accounts in the latest dependency snapshot),
    linking to the pipeline. Once per ISO week; a handful of grouped queries for all teams."""
    today = day_date(day_number(now))
    year, week, _weekday = today.isocalendar()
    open_deals = (Opportunity.status == Status.open, Opportunity.deleted_at.is_(None),
                  Account.deleted_at.is_(None))  # fmt: skip

    def per_team(query: sa.Select[Any]) -> dict[int, int]:
        return {team: int(n) for team, n in db.session.execute(query.group_by(Account.team_id))}

    deals = per_team(
        sa.select(Account.team_id, sa.func.count(Opportunity.id))
        .join(Account, Account.id == Opportunity.account_id)
        .where(*open_deals)
    )
    late = figures.late(figures.versions(), now)
    breaches = (
        per_team(
            sa.select(Account.team_id, sa.func.count(Opportunity.id))
            .join(Account, Account.id == Opportunity.account_id)
            .where(*open_deals, sa.or_(*late))
        )
        if late
        else {}
    )
    steps = per_team(
        sa.select(Account.team_id, sa.func.count(Interaction.id))
        .join(Account, Account.id == Interaction.account_id)
        .where(
            Interaction.next_step.is_not(None),
            Interaction.next_step_done_at.is_(None),
            Interaction.next_step_due < today,
            Interaction.deleted_at.is_(None),
            Account.deleted_at.is_(None),
        )
    )
    latest = sa.select(sa.func.max(AccountSnapshot.day)).where(AccountSnapshot.day <= today)
    risky = {team: int(n) for team, n in db.session.execute(
        sa.select(AccountSnapshot.team_id, sa.func.count())
        .where(AccountSnapshot.day == latest.scalar_subquery(), AccountSnapshot.risk == "high")
        .group_by(AccountSnapshot.team_id))}  # fmt: skip
    teams = db.session.execute(
        sa.select(Team.id, Team.name, Team.director_id).where(Team.director_id.is_not(None))
    ).all()  # fmt: skip
    notices = [
        Notice((director_id,), "weekly_digest", key=f"digest:{team_id}:{year}-W{week:02d}",
               link=f"/pipeline?team_id={team_id}",
               params={"team": name, "deals": deals.get(team_id, 0),
                       "breaches": breaches.get(team_id, 0), "steps": steps.get(team_id, 0),
                       "risky": risky.get(team_id, 0)})
        for team_id, name, director_id in teams
    ]  # fmt: skip
    count = notify_many(notices, now=now)
    return ngettext("%(num)d notification", "%(num)d notifications", count)


def _prune_login_throttles(now: datetime) -> str:
    from salesflow.auth import throttle

    n = throttle.prune(now=now)
    return ngettext("%(num)d login counter forgotten", "%(num)d login counters forgotten", n)


def _prune_import_files(now: datetime) -> str:
    from salesflow.imports import services as imports

    n = imports.forget_stale_files(now=now)
    return ngettext("%(num)d uploaded file forgotten", "%(num)d uploaded files forgotten", n)


def _send_emails(now: datetime) -> str:
    from salesflow.notifications import email

    sent, failed = email.send_pending(now=now)
    return _("%(sent)d e-mails sent, %(failed)d to retry or failed", sent=sent, failed=failed)


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job("dependency_snapshot", "day", _l("Snapshot every account's dependency figures."),
            _dependency_snapshot),
        Job("pipeline_snapshot", "day", _l("Snapshot every open opportunity (week's movement)."),
            _pipeline_snapshot),
        Job("handover_completions", "day", _l("Tell planners of handovers the data completed."),
            _handover_completions),
        Job("overdue_next_steps", "day", _l("Remind owners of their overdue next steps."),
            _overdue_next_steps),
        Job("idle_key_contacts", "day",
            _l("Tell ARs of A-tier key contacts nobody has met for a while."),
            _idle_key_contacts),
        Job("overdue_handovers", "day",
            _l("Remind successors and planners of overdue handovers, weekly."),
            _overdue_handovers),
        Job("weekly_digest", "week", _l("Send each director the week's summary of their team."),
            _weekly_digest),
        Job("send_emails", "interval",
            _l("Send the e-mails of the digest and urgent notifications (when SMTP is set)."),
            _send_emails),
        Job("stage_sla_breaches", "day",
            _l("Tell ARs and directors of deals past their stage's time limit."),
            _stage_sla_breaches),
        Job("prune_login_throttles", "day",
            _l("Forget login counters that have been quiet for a day."), _prune_login_throttles),
        Job("prune_import_files", "day",
            _l("Forget the files of imports left at their dry run for a week."),
            _prune_import_files),
    )
}  # fmt: skip
