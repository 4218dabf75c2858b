"""Scoped reads of contacts for pages and the API."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from salesflow import scope
from salesflow.auth.models import User
from salesflow.contacts.models import Contact, Level
from salesflow.extensions import db
from salesflow.ties.queries import live_ties

# Executives first in the org chart, then management, operational, not set.
_LEVEL_RANK = {Level.executive: 0, Level.management: 1, Level.operational: 2}


@dataclass
class ChainNode:
    """One box of the decision-chain org chart: the contact, their reports, our live ties."""

    contact: Contact
    children: list["ChainNode"] = field(default_factory=list)
    # Our people with a live tie to this contact (an interaction together within the tie window),
    # strongest first, with the tie strength of PRODUCT.md's definition.
    ties: list[tuple[User, float]] = field(default_factory=list)


class DecisionChain(list[ChainNode]):
    """The org chart's roots, plus what the partial needs besides them: the account (for the
    "Add contact" link) and the former contacts (left the customer), newest departure first."""

    def __init__(self, roots: list[ChainNode], *, account_id: int, former: list[Contact]):
        super().__init__(roots)
        self.account_id = account_id
        self.former = former


def _current(account_id: int) -> sa.ColumnElement[bool]:
    return sa.and_(
        Contact.account_id == account_id, Contact.deleted_at.is_(None), Contact.left_on.is_(None)
    )


def _sort_key(node: ChainNode) -> tuple[int, str, int]:
    contact = node.contact
    return (_LEVEL_RANK.get(contact.level, 3), contact.name.casefold(), contact.id)  # type: ignore[arg-type]


def _parents(nodes: dict[int, ChainNode]) -> dict[int, int | None]:
    """Each box's parent box: the manager if they are in the chart, else none (a root). A loop
    (the services refuse them; only two racing saves could make one) is cut where it is found,
    so every contact is still shown exactly once."""
    parent = {}
    for cid, node in nodes.items():
        boss = node.contact.reports_to_id
        parent[cid] = boss if boss in nodes else None
    done: set[int] = set()
    for start in sorted(nodes):
        path: list[int] = []
        current: int | None = start
        while current is not None and current not in done and current not in path:
            path.append(current)
            current = parent[current]
        if current is not None and current in path:
            parent[current] = None
        done.update(path)
    return parent


def decision_chain(account_id: int, *, now: datetime) -> DecisionChain:
    """The account's current contacts as a forest by reports_to, roots first. A contact whose
    manager left or was deleted keeps reports_to (history) but is shown as a root. The current
    and the former contacts are read in one query, their ties in one more (live_ties)."""
    everyone = db.session.scalars(
        sa.select(Contact).where(Contact.account_id == account_id, Contact.deleted_at.is_(None))
    ).all()
    contacts = [c for c in everyone if c.is_current]
    former = sorted((c for c in everyone if not c.is_current), key=lambda c: c.id)
    former.sort(key=lambda c: c.left_on, reverse=True)  # as former_contacts: stable, so by id
    ties = live_ties(account_id, now=now)
    nodes = {c.id: ChainNode(contact=c, ties=ties.get(c.id, [])) for c in contacts}
    roots: list[ChainNode] = []
    for cid, parent_id in _parents(nodes).items():
        (nodes[parent_id].children if parent_id is not None else roots).append(nodes[cid])
    for node in nodes.values():
        node.children.sort(key=_sort_key)
    roots.sort(key=_sort_key)
    return DecisionChain(roots, account_id=account_id, former=former)


def former_contacts(account_id: int) -> list[Contact]:
    """Contacts who left the customer (not deleted), the latest departure first."""
    return list(
        db.session.scalars(
            sa.select(Contact)
            .where(
                Contact.account_id == account_id,
                Contact.deleted_at.is_(None),
                Contact.left_on.is_not(None),
            )
            .order_by(Contact.left_on.desc(), Contact.id)
        )
    )


def current_contacts(account_id: int, *, exclude_id: int | None = None) -> list[Contact]:
    """The account's current contacts by name: the choices for "reports to"."""
    query = sa.select(Contact).where(_current(account_id)).order_by(Contact.name, Contact.id)
    if exclude_id is not None:
        query = query.where(Contact.id != exclude_id)
    return list(db.session.scalars(query))


def direct_reports(contact: Contact) -> list[Contact]:
    """Who reports to `contact` (not deleted; those who left are included and marked as such)."""
    return list(
        db.session.scalars(
            sa.select(Contact)
            .where(Contact.reports_to_id == contact.id, Contact.deleted_at.is_(None))
            .order_by(Contact.left_on.is_not(None), Contact.name, Contact.id)
        )
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_query(
    user: User, *, account_id: int | None = None, q: str | None = None
) -> sa.Select[Any]:
    """Contacts the user may see (not deleted), optionally of one account and matching `q` in
    name, title, department or e-mail. An account outside the scope is a NotFound."""
    query = sa.select(Contact).where(
        Contact.account_id.in_(scope.visible_account_ids(user)), Contact.deleted_at.is_(None)
    )
    if account_id is not None:
        scope.get_account(user, account_id)
        query = query.where(Contact.account_id == account_id)
    if q and q.strip():
        pattern = _like(q.strip())
        query = query.where(
            sa.or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (Contact.name, Contact.title, Contact.department, Contact.email)
                )
            )
        )
    return query
