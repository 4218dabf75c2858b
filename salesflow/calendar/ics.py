"""The iCalendar text: each open next step is an all-day event on its due date.

An event's UID (`interaction-<id>@<host>`, the host of PUBLIC_URL) never changes, so a calendar
updates the event in place; SEQUENCE is the interaction's version less one, so it grows with every
change; DTSTAMP and LAST-MODIFIED are the interaction's last change, in UTC. The feed asks to be
fetched again every hour (REFRESH-INTERVAL, and Outlook's X-PUBLISHED-TTL)."""

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _
from icalendar import Calendar, Event, vDuration

from salesflow import clock, scope
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.interactions.models import Interaction, interaction_participants

FEED_LIMIT = 1000  # events in one feed: every future step, and the most recent overdue ones
REFRESH = timedelta(hours=1)
STEP_COLUMNS = (
    Interaction.id,
    Interaction.next_step,
    Interaction.next_step_due,
    Interaction.version,
    Interaction.updated_at,
    Account.name.label("account"),
)


def open_steps(user: User, *, limit: int | None = None) -> list[sa.Row[Any]]:
    """The user's open next steps (Interaction.has_open_step) on
    interactions they logged or took part in, not deleted, on accounts they may see; latest due
    first (a cap drops the oldest overdue ones, never a coming one)."""
    took_part = sa.select(interaction_participants.c.interaction_id).where(
        interaction_participants.c.user_id == user.id
    )
    query = (
        sa.select(*STEP_COLUMNS)
        .join(Account, Account.id == Interaction.account_id)
        .where(
            Interaction.account_id.in_(scope.visible_account_ids(user)),
            Interaction.deleted_at.is_(None),
            Interaction.has_open_step,
            sa.or_(Interaction.owner_id == user.id, Interaction.id.in_(took_part)),
        )
        .order_by(Interaction.next_step_due.desc(), Interaction.id.desc())
        .limit(limit or FEED_LIMIT)
    )
    return list(db.session.execute(query))


def step_of(interaction: Interaction) -> sa.Row[Any]:
    """One interaction's next step, in the shape open_steps() gives."""
    return db.session.execute(
        sa.select(*STEP_COLUMNS)
        .join(Account, Account.id == Interaction.account_id)
        .where(Interaction.id == interaction.id)
    ).one()


def _host() -> str:
    return urlsplit(current_app.config["PUBLIC_URL"]).hostname or "salesflow"


def event(step: sa.Row[Any], host: str) -> Event:
    """The all-day event of one next step (DTSTART;VALUE=DATE, ending the next day)."""
    link = url_for("interactions.detail", interaction_id=step.id, _external=True)
    item = Event()
    item.add("uid", f"interaction-{step.id}@{host}")
    item.add("sequence", step.version - 1)
    item.add("dtstamp", step.updated_at)
    item.add("last-modified", step.updated_at)
    item.add("dtstart", step.next_step_due)
    item.add("dtend", step.next_step_due + timedelta(days=1))
    item.add("summary", f"{step.next_step} · {step.account}")
    item.add("description", _("Open in salesflow: %(url)s", url=link))
    item.add("url", link)
    item.add("transp", "TRANSPARENT")  # a reminder, not a meeting: it does not block the day
    return item


def calendar(steps: list[sa.Row[Any]], *, name: str | None = None) -> bytes:
    """An iCalendar object of `steps`; `name` makes it a subscribed feed (its name, the refresh
    hints), otherwise it is a file to import once."""
    cal = Calendar()
    cal.add("prodid", "-//salesflow//next steps//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name is not None:
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", clock.zone().key)
        cal.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(REFRESH))
    host = _host()
    for step in steps:
        cal.add_component(event(step, host))
    return cal.to_ical()


def feed(user: User) -> bytes:
    """The user's calendar feed (in the language of the caller's context)."""
    return calendar(open_steps(user), name=_("salesflow next steps · %(name)s", name=user.name))
