"""The interactions' scheduled job (scheduler/registry.py names it): the daily reminder of
overdue next steps. It takes the moment it runs for and returns a one-line summary."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import ngettext

from salesflow import clock, links
from salesflow.accounts.models import Account
from salesflow.extensions import db
from salesflow.interactions.models import Interaction
from salesflow.notifications.services import Notice, notify_many


def overdue_next_steps(now: datetime) -> str:
    """Each owner of open next steps past their due date: one reminder a day with how many and
    the oldest due date, linking to My day. One query to find them."""
    today = clock.today(now)
    owners = db.session.execute(
        sa.select(Interaction.owner_id, sa.func.count(), sa.func.min(Interaction.next_step_due))
        .join(Account, Account.id == Interaction.account_id)
        .where(
            Interaction.step_overdue(today),
            Account.deleted_at.is_(None),
        )
        .group_by(Interaction.owner_id)
    ).all()
    my_day = links.path("interactions.my_day")
    notices = [
        Notice(
            (owner,),
            "next_steps_overdue",
            key=f"steps:{today.isoformat()}",
            link=my_day,
            params={"count": count, "oldest": oldest.isoformat()},
        )
        for owner, count, oldest in owners
    ]
    count = notify_many(notices, now=now)
    return ngettext("%(num)d notification", "%(num)d notifications", count)
