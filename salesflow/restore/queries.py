"""The deleted records a restorer may bring back: those of the accounts they may restore in
(scope.visible_account_ids with include_deleted), the latest deleted first."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from salesflow import scope
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.extensions import db
from salesflow.interactions.models import Interaction, Kind

SHOWN = 200  # the latest ones; older ones are on their account's history


@dataclass(frozen=True)
class DeletedContact:
    id: int
    name: str
    title: str | None
    account: str
    account_deleted: bool
    deleted_at: datetime


@dataclass(frozen=True)
class DeletedInteraction:
    id: int
    kind: Kind
    summary: str
    occurred_at: datetime
    account: str
    account_deleted: bool
    deleted_at: datetime


def _restorable(user: User, column) -> sa.ColumnElement[bool]:
    return column.in_(scope.visible_account_ids(user, include_deleted=True))


def deleted_contacts(user: User, limit: int = SHOWN) -> tuple[list[DeletedContact], int]:
    """The latest `limit` deleted contacts `user` may restore, and how many there are."""
    where = [Contact.deleted_at.is_not(None), _restorable(user, Contact.account_id)]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Contact).where(*where))
    rows = db.session.execute(
        sa.select(Contact, Account.name, Account.deleted_at)
        .join(Account, Account.id == Contact.account_id)
        .where(*where)
        .order_by(Contact.deleted_at.desc(), Contact.id.desc())
        .limit(limit)
    )
    return [
        DeletedContact(c.id, c.name, c.title, account, gone is not None, c.deleted_at)
        for c, account, gone in rows
    ], int(total or 0)


def deleted_interactions(user: User, limit: int = SHOWN) -> tuple[list[DeletedInteraction], int]:
    """The latest `limit` deleted interactions `user` may restore, and how many there are."""
    where = [Interaction.deleted_at.is_not(None), _restorable(user, Interaction.account_id)]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Interaction).where(*where))
    rows = db.session.execute(
        sa.select(
            Interaction.id,
            Interaction.kind,
            Interaction.summary,
            Interaction.occurred_at,
            Interaction.deleted_at,
            Account.name,
            Account.deleted_at,
        )
        .join(Account, Account.id == Interaction.account_id)
        .where(*where)
        .order_by(Interaction.deleted_at.desc(), Interaction.id.desc())
        .limit(limit)
    )
    return [
        DeletedInteraction(i, kind, summary, occurred, account, gone is not None, deleted)
        for i, kind, summary, occurred, deleted, account, gone in rows
    ], int(total or 0)
