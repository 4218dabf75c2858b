"""The dependency report's scheduled jobs (scheduler/registry.py names them): the daily snapshot
of every account's figures, and the reminder of key contacts nobody has met lately. Each takes
the moment it runs for and returns a one-line summary."""

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import ngettext

from salesflow import clock, links
from salesflow.accounts.models import Account, AccountMember, TeamRole, Tier
from salesflow.contacts.models import Contact
from salesflow.dependency import snapshots
from salesflow.extensions import db
from salesflow.notifications.services import Notice, notify_many
from salesflow.ties.models import TieTouch


def dependency_snapshot(now: datetime) -> str:
    n = snapshots.take(now=now)
    return ngettext("%(num)d account", "%(num)d accounts", n)


def idle_key_contacts(now: datetime) -> str:
    """Key contacts (decision makers, anyone of high influence) of A-tier accounts nobody of ours
    has met for KEY_CONTACT_IDLE_DAYS, or ever: the account's AR is told once per idle spell (the
    key holds the last contact's day). Three queries."""
    today, idle = clock.day_number(now), current_app.config["KEY_CONTACT_IDLE_DAYS"]
    a_tier = sa.select(Account.id).where(Account.tier == Tier.A, Account.deleted_at.is_(None))
    last = (
        sa.select(TieTouch.contact_id, sa.func.max(TieTouch.day).label("day"))
        .where(TieTouch.account_id.in_(a_tier), TieTouch.day <= today)
        .group_by(TieTouch.contact_id)
        .subquery()
    )
    contacts = db.session.execute(
        sa.select(Contact.id, Contact.name, Contact.account_id, Account.name, last.c.day)
        .join(Account, Account.id == Contact.account_id)
        .outerjoin(last, last.c.contact_id == Contact.id)
        .where(
            Contact.account_id.in_(a_tier),
            Contact.is_key,
            last.c.day.is_(None) | (last.c.day < today - idle),
        )
        .order_by(Contact.id)
    ).all()
    ars: dict[int, set[int]] = defaultdict(set)
    for account_id, user_id in db.session.execute(
        sa.select(AccountMember.account_id, AccountMember.user_id).where(
            AccountMember.role == TeamRole.AR, AccountMember.account_id.in_(a_tier)
        )
    ):
        ars[account_id].add(user_id)
    notices = [
        Notice(
            tuple(ars[account_id]),
            "key_contact_idle",
            link=links.path("contacts.detail", contact_id=contact_id),
            key=f"idle:{contact_id}:{day if day is not None else 'never'}",
            params={
                "contact": name,
                "account": account_name,
                "days": None if day is None else today - day,
            },
        )
        for contact_id, name, account_id, account_name, day in contacts
    ]
    count = notify_many(notices, now=now)
    return ngettext("%(num)d notification", "%(num)d notifications", count)
