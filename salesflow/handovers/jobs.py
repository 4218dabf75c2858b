"""The handovers' scheduled jobs (scheduler/registry.py names them): noting the handovers the
data completed, and the weekly reminder of overdue ones. Each takes the moment it runs for and
returns a one-line summary."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import ngettext

from salesflow import clock, links
from salesflow.extensions import db
from salesflow.handovers import checklist, queries, services
from salesflow.handovers.models import Handover
from salesflow.notifications.services import Notice, notify_many


def handover_completions(now: datetime) -> str:
    n = services.note_completions(now=now)
    return ngettext("%(num)d handover completed", "%(num)d handovers completed", n)


def overdue_handovers(now: datetime) -> str:
    """Handovers past their due date with items the data does not prove yet: the successor and
    the planner are told how many remain, once a week while it stays overdue. A batch of
    handovers at a time, their checklists built set-wise."""
    today = clock.today(now)
    year, week, _weekday = today.isocalendar()
    notices, last = [], 0
    while True:
        batch = (
            db.session.scalars(
                queries.loaded(sa.select(Handover))
                .where(Handover.may_be_overdue(today), Handover.id > last)
                .order_by(Handover.id)
                .limit(200)
            )
            .unique()
            .all()
        )
        if not batch:
            break
        last = batch[-1].id
        for handover_id, items in checklist.build(batch).items():
            if not items.overdue(today):
                continue
            handover = items.handover
            notices.append(
                Notice(
                    (handover.to_user_id, handover.created_by_id),
                    "handover_overdue",
                    key=f"handover-overdue:{handover_id}:{year}-W{week:02d}",
                    link=links.path("handovers.detail", handover_id=handover_id),
                    params={
                        "from_user": handover.from_user.name,
                        "to_user": handover.to_user.name,
                        "due": handover.due_date.isoformat(),
                        "open": items.total - items.done,
                        "total": items.total,
                    },
                )
            )
    count = notify_many(notices, now=now)
    return ngettext("%(num)d notification", "%(num)d notifications", count)
