"""Scoped reads for the duplicates pages, the chooser, the merges list and the old addresses of
merged records. Every read starts from the scope (STYLE.md rule 7); candidates are computed in
Python over a few set-wise queries of the visible records (candidates.py), never a query a row.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow import scope
from salesflow.accounts.models import Account, AccountMember
from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.errors import NotFound
from salesflow.extensions import db
from salesflow.handovers.models import HandoverAccount
from salesflow.interactions.models import Interaction, interaction_attendees
from salesflow.merges import candidates
from salesflow.merges.candidates import Group
from salesflow.merges.models import Merge, MergedRecord, MergeKind
from salesflow.merges.services import UNDO_DAYS
from salesflow.opportunities.models import Opportunity

MAX_DEPTH = 20  # merges of merges followed at most this far (a survivor later merged again)


# Where merged records went ---------------------------------------------------------------------


def _standing(kind: MergeKind) -> sa.Select[Any]:
    return (
        sa.select(MergedRecord.record_id, Merge.survivor_id)
        .join(Merge, Merge.id == MergedRecord.merge_id)
        .where(MergedRecord.kind == kind, Merge.undone_at.is_(None))
    )


def survivor_of(kind: MergeKind, record_id: int) -> int | None:
    """The record a merged record lives on in now (following later merges), or None when it was
    not merged away."""
    survivor, current = None, record_id
    for _step in range(MAX_DEPTH):
        found = db.session.execute(_standing(kind).where(MergedRecord.record_id == current)).first()
        if found is None:
            break
        survivor = current = found.survivor_id
    return survivor


def absorbed_ids(kind: MergeKind, survivor_id: int) -> list[int]:
    """Every record merged into this one (and into those, …) by merges that stand: the records
    whose history is also this one's."""
    found: list[int] = []
    frontier = [survivor_id]
    for _step in range(MAX_DEPTH):
        rows = db.session.scalars(
            sa.select(MergedRecord.record_id)
            .join(Merge, Merge.id == MergedRecord.merge_id)
            .where(
                MergedRecord.kind == kind,
                Merge.undone_at.is_(None),
                Merge.survivor_id.in_(frontier),
            )
        ).all()
        frontier = [r for r in rows if r not in found and r != survivor_id]
        if not frontier:
            break
        found += frontier
    return found


# Candidates -----------------------------------------------------------------------------------


def account_groups(user: User) -> list[Group]:
    """Groups of the accounts `user` sees that look like one customer (one query)."""
    query = sa.select(Account.id, sa.null(), Account.name, Account.website)
    rows = db.session.connection().execute(query.where(scope.visible_accounts(user))).all()
    return candidates.find_groups(rows, candidates.ACCOUNT_KEYS)


def contact_groups(user: User, account_id: int | None = None) -> list[Group]:
    """Groups of current contacts, within each account `user` sees (or the one named), that
    look like one person (one query)."""
    query = sa.select(Contact.id, Contact.account_id, Contact.name, Contact.email, Contact.phone)
    query = query.where(
        Contact.account_id.in_(scope.visible_account_ids(user)), Contact.deleted_at.is_(None)
    )
    if account_id is not None:
        query = query.where(Contact.account_id == account_id)
    rows = db.session.connection().execute(query).all()  # Core rows, not ORM ones: 100,000
    return candidates.find_groups(rows, candidates.CONTACT_KEYS, suggest_similar=True)


@dataclass
class Row:
    """One record of a group on the duplicates page: what a person recognises it by."""

    id: int
    name: str
    lines: list[str]  # e.g. team, industry, website / title, e-mail, phone
    account: Any = None  # contacts: (id, name) of their account
    count: int = 0  # accounts: current contacts


def account_rows(ids: set[int]) -> dict[int, Row]:
    """The accounts of a page of groups, with their team and contact count (two queries)."""
    accounts = db.session.scalars(
        sa.select(Account).where(Account.id.in_(ids)).options(so.joinedload(Account.team))
    ).all()
    counts = dict(
        db.session.execute(
            sa.select(Contact.account_id, sa.func.count())
            .where(Contact.account_id.in_(ids), Contact.deleted_at.is_(None))
            .group_by(Contact.account_id)
        ).all()
    )
    return {
        a.id: Row(
            a.id,
            a.name,
            [x for x in (a.team.name, a.industry, a.website) if x],
            count=counts.get(a.id, 0),
        )
        for a in accounts
    }


def contact_rows(ids: set[int]) -> dict[int, Row]:
    """The contacts of a page of groups, with their account's name (one query)."""
    rows = db.session.execute(
        sa.select(Contact, Account.name)
        .join(Account, Account.id == Contact.account_id)
        .where(Contact.id.in_(ids))
    ).all()
    return {
        c.id: Row(
            c.id,
            c.name,
            [x for x in (c.title, c.email, c.phone) if x],
            account=(c.account_id, account_name),
        )
        for c, account_name in rows
    }


# What a merge would move ----------------------------------------------------------------------


def _counted(column: Any, ids: list[int], *where: Any) -> dict[int, int]:
    query = sa.select(column, sa.func.count()).where(column.in_(ids), *where).group_by(column)
    return dict(db.session.execute(query).all())  # type: ignore[arg-type]


def moving(kind: MergeKind, ids: list[int]) -> dict[str, dict[int, int]]:
    """Per record: how many of each related kind it has (what moves when it is merged), one
    grouped query per kind of related record."""
    if kind == MergeKind.accounts:
        return {
            "contacts": _counted(Contact.account_id, ids, Contact.deleted_at.is_(None)),
            "interactions": _counted(Interaction.account_id, ids, Interaction.deleted_at.is_(None)),
            "opportunities": _counted(
                Opportunity.account_id, ids, Opportunity.deleted_at.is_(None)
            ),
            "child_accounts": _counted(Account.parent_id, ids, Account.deleted_at.is_(None)),
            "team_members": _counted(AccountMember.account_id, ids),
            "handovers": _counted(HandoverAccount.account_id, ids),
        }
    attendees = interaction_attendees.c
    return {
        "interactions": _counted(attendees.contact_id, ids),
        "reports": _counted(Contact.reports_to_id, ids, Contact.deleted_at.is_(None)),
    }


# The merges list and the survivor's banner ---------------------------------------------------


def _in_scope(user: User) -> sa.ColumnElement[bool]:
    """Merges on accounts `user` may see, merged-away (deleted) ones included for those who
    restore: a merge belongs to the survivor's account (or the contacts' account)."""
    return Merge.account_id.in_(scope.visible_account_ids(user, include_deleted=True))


def merges_query(
    user: User, *, kind: str | None = None, survivor_id: int | None = None
) -> sa.Select[Any]:
    """The merges `user` may see, optionally of one kind or into one record (unordered)."""
    query = sa.select(Merge).where(_in_scope(user)).options(so.selectinload(Merge.records))
    if kind is not None:
        query = query.where(Merge.kind == kind)
    if survivor_id is not None:
        query = query.where(Merge.survivor_id == survivor_id)
    return query


def merge_in_scope(user: User, merge_id: int) -> Merge:
    """One merge `user` may see, else NotFound."""
    merge = db.session.scalar(merges_query(user).where(Merge.id == merge_id))
    if merge is None:
        raise NotFound()
    return merge


def recent_merges(
    user: User, now: datetime, *, before: int | None = None, size: int = 50
) -> tuple[list[Merge], int | None]:
    """Merges of the last UNDO_DAYS on accounts `user` may merge in, newest first, by keyset
    (the id to continue before); with who made and undid them, in one query."""
    query = (
        sa.select(Merge)
        .where(_in_scope(user), Merge.at >= now - timedelta(days=UNDO_DAYS))
        .options(
            so.joinedload(Merge.actor),
            so.joinedload(Merge.undone_by),
            so.selectinload(Merge.records),
        )
        .order_by(Merge.id.desc())
        .limit(size + 1)
    )
    if before is not None:
        query = query.where(Merge.id < before)
    merges = list(db.session.scalars(query).unique())
    more = len(merges) > size
    merges = merges[:size]
    return merges, (merges[-1].id if more else None)


def names(merges: list[Merge]) -> dict[tuple[MergeKind, int], str]:
    """The names of every record the merges mention, two queries for any number of merges."""
    wanted: dict[MergeKind, set[int]] = defaultdict(set)
    for merge in merges:
        wanted[merge.kind].update([merge.survivor_id, *merge.merged_ids])
    found: dict[tuple[MergeKind, int], str] = {}
    for kind, model in ((MergeKind.accounts, Account), (MergeKind.contacts, Contact)):
        if wanted[kind]:
            for record_id, name in db.session.execute(
                sa.select(model.id, model.name).where(model.id.in_(wanted[kind]))
            ):
                found[(kind, record_id)] = name
    return found


def standing_into(kind: MergeKind, survivor_id: int, now: datetime) -> list[Merge]:
    """The merges into this record that can still be undone (newest first)."""
    return list(
        db.session.scalars(
            sa.select(Merge)
            .where(
                Merge.kind == kind,
                Merge.survivor_id == survivor_id,
                Merge.undone_at.is_(None),
                Merge.at >= now - timedelta(days=UNDO_DAYS),
            )
            .options(so.selectinload(Merge.records), so.joinedload(Merge.actor))
            .order_by(Merge.id.desc())
        ).unique()
    )
