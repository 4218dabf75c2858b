"""The requests' scheduled jobs (scheduler/registry.py names them): the daily reminder to each
person asked of what is needed by the next working day and what is overdue, and the weekly
escalation to leadership of decisions waiting too long for their director. Each takes the moment
it runs for and returns a one-line summary."""

from datetime import datetime, time

import sqlalchemy as sa
from flask import current_app
from flask_babel import ngettext

from salesflow import clock, links, scope
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.notifications.services import Notice, notify_many
from salesflow.opportunities import decisions
from salesflow.requests.models import OPEN_STATUSES, InternalRequest


def _inbox() -> str:
    """The inbox where its page is served, else My day."""
    if "requests.inbox" in current_app.view_functions:
        return links.path("requests.inbox")
    return links.path("interactions.my_day")


def request_reminders(now: datetime) -> str:
    """Each person with open requests asked of them that are needed by the next working day or
    overdue: one message a day with both counts. One grouped query."""
    today = clock.today(now)
    soon = clock.add_working_days(today, 1)
    due = sa.and_(InternalRequest.needed_by > today, InternalRequest.needed_by <= soon)
    late = InternalRequest.needed_by < today
    rows = db.session.execute(
        sa.select(
            InternalRequest.assignee_id,
            sa.func.sum(sa.case((due, 1), else_=0)),
            sa.func.sum(sa.case((late, 1), else_=0)),
        )
        .where(InternalRequest.status.in_(sorted(OPEN_STATUSES)), sa.or_(due, late))
        .group_by(InternalRequest.assignee_id)
    ).all()
    link = _inbox()
    notices = [
        Notice(
            (assignee,),
            "requests_due",
            key=f"requests_due:{today.isoformat()}",
            link=link,
            params={"tomorrow": int(tomorrow), "overdue": int(overdue)},
        )
        for assignee, tomorrow, overdue in rows
    ]
    count = notify_many(notices, now=now)
    return ngettext("%(num)d notification", "%(num)d notifications", count)


def _waiting_since(now: datetime) -> datetime:
    """Decisions asked before this moment have waited more than DECISION_WAIT_DAYS working days:
    the start of the working day that many working days before today."""
    days = current_app.config["DECISION_WAIT_DAYS"]
    day = clock.add_working_days(clock.today(now), -days)
    return datetime.combine(day, time(), clock.zone())


def decisions_waiting(now: datetime) -> str:
    """Leadership, once a week: how many pending decisions have waited more than
    DECISION_WAIT_DAYS working days for their director, and the longest waiting (the seed's
    approvals that went from two days to five and nobody saw). Nothing when none waits."""
    today = clock.today(now)
    year, week, _weekday = today.isocalendar()
    query = decisions.pending_query().where(InternalRequest.created_at < _waiting_since(now))
    count = db.session.scalar(
        query.order_by(None).with_only_columns(sa.func.count(InternalRequest.id))
    )
    if not count:
        return ngettext("%(num)d notification", "%(num)d notifications", 0)
    oldest, deal, account, _asker = db.session.execute(query.limit(1)).one()
    director = db.session.get(User, oldest.assignee_id)
    leaders = db.session.scalars(sa.select(User.id).where(scope.escalated_to())).all()
    notice = Notice(
        tuple(leaders),
        "decisions_waiting",
        key=f"decisions_waiting:{year}-W{week:02d}",
        link=links.path("pipeline.review"),
        params={
            "count": int(count),
            "days": current_app.config["DECISION_WAIT_DAYS"],
            "title": f"{oldest.title} · {deal.name} ({account.name})",
            "director": director.name if director else "",
        },
    )
    sent = notify_many([notice], now=now)
    return ngettext("%(num)d notification", "%(num)d notifications", sent)
