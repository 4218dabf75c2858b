"""A handover's checklist, derived from the data at read time; nobody ticks it by hand.

Per account of the handover (deleted accounts drop out, as they do from every figure):

- **roles transferred**: the old person holds no account-team role and no role on an open deal of
  the account, and the successor holds every role the old person held at creation (on deals still
  open). Present when the old person held a role at creation or holds one now.
- per **key contact**: the key contacts at creation that are still current, plus any current
  contact that has become key since (PRODUCT.md: a decision maker or of high influence, not
  deleted, not left). A contact stays on the list even if the successor later rates them lower,
  so rating someone down never ticks an item; one who leaves or is deleted drops out.
  - **joint contact**: an interaction, not deleted, on or after the handover's creation (to the
    minute, as the quick log records it), with the contact as attendee, both the old person
    and the successor as participants, and logged by one of the two (its owner): a contact
    logged by someone else does not prove that the two of them met the customer.
  - **confirmed**: the successor's explicit confirmation of the contact's attitude and influence
    on or after the creation: an audit entry on the contact with action "confirm" by the
    successor (`services.confirm_contact`). Anyone else's confirmation does not count.

Completion = proven items ÷ all items. Every figure for any number of handovers comes from six
queries (STYLE.md rule 11), never a query per handover, account or contact.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from salesflow.accounts.models import Account, AccountMember
from salesflow.audit.models import AuditEntry
from salesflow.contacts.models import Contact
from salesflow.extensions import db
from salesflow.handovers.models import Handover, HandoverAccount
from salesflow.interactions.models import (
    Interaction,
    interaction_attendees,
    interaction_participants,
)
from salesflow.opportunities.models import Opportunity, OpportunityRole, Status


class ItemKind(StrEnum):
    roles_transferred = "roles_transferred"
    joint_contact = "joint_contact"
    confirmed = "confirmed"


@dataclass(frozen=True)
class Roles:
    """What still stands between the account and "roles transferred"."""

    old_team: tuple[str, ...] = ()  # account-team roles the old person still holds
    old_deals: tuple[tuple[int, str], ...] = ()  # (opportunity, role) still held by them
    missing_team: tuple[str, ...] = ()  # roles the successor does not hold yet
    missing_deals: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Item:
    account_id: int
    kind: ItemKind
    done: bool
    contact_id: int | None = None
    interaction_id: int | None = None  # the joint contact that proves it
    confirmed_at: datetime | None = None
    roles: Roles | None = None


@dataclass
class AccountChecklist:
    account: Any  # (id, name, team_id)
    link: HandoverAccount
    contacts: list[Contact] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)

    def item(self, kind: ItemKind, contact_id: int | None = None) -> Item | None:
        return next((i for i in self.items if i.kind == kind and i.contact_id == contact_id), None)


@dataclass
class Checklist:
    handover: Handover
    accounts: list[AccountChecklist] = field(default_factory=list)

    @property
    def items(self) -> list[Item]:
        return [item for account in self.accounts for item in account.items]

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.done)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def percent(self) -> int:
        """Whole percent, rounded down: 100 only when every item is proven (nothing to do is
        complete)."""
        return 100 if not self.total else self.done * 100 // self.total

    @property
    def complete(self) -> bool:
        return self.done == self.total

    def overdue(self, today: date) -> bool:
        """Handover.is_overdue by this checklist, on the company's day `today`."""
        return self.handover.is_overdue(self.complete, today)


@dataclass
class _Facts:
    links: list[HandoverAccount]
    accounts: dict[int, Any]
    contacts: dict[int, list[Contact]]  # by account
    team: dict[int, set[tuple[int, str]]]  # by account: (user, role)
    deals: dict[int, set[tuple[int, int, str]]]  # by account: (opportunity, user, role)
    open_deals: set[int]
    # interaction: (at, contacts, participants, owner)
    meetings: dict[int, tuple[datetime, set[int], set[int], int]]
    confirms: dict[tuple[int, int], list[datetime]]  # (contact, actor): times


def _started(handover: Handover) -> datetime:
    """The handover's creation to the minute: the quick log records minutes."""
    return handover.created_at.replace(second=0, microsecond=0)


def _load_people(account_ids: set[int], users: set[int], facts: _Facts) -> None:
    for account_id, user_id, role in db.session.execute(
        sa.select(AccountMember.account_id, AccountMember.user_id, AccountMember.role).where(
            AccountMember.account_id.in_(account_ids), AccountMember.user_id.in_(users)
        )
    ):
        facts.team[account_id].add((user_id, role.value))
    for deal_id, account_id, user_id, role in db.session.execute(
        sa.select(
            Opportunity.id, Opportunity.account_id, OpportunityRole.user_id, OpportunityRole.role
        )
        .join(OpportunityRole, OpportunityRole.opportunity_id == Opportunity.id)
        .where(
            Opportunity.account_id.in_(account_ids),
            OpportunityRole.user_id.in_(users),
            Opportunity.status == Status.open,
            Opportunity.deleted_at.is_(None),
        )
    ):
        facts.deals[account_id].add((deal_id, user_id, role.value))
    snapshot = {
        deal_id for link in facts.links for deal_id, _role in link.roles.get("opportunities", [])
    }
    facts.open_deals = (
        set(
            db.session.scalars(
                sa.select(Opportunity.id).where(
                    Opportunity.id.in_(snapshot),
                    Opportunity.status == Status.open,
                    Opportunity.deleted_at.is_(None),
                )
            )
        )
        if snapshot
        else set()
    )


def _load_proofs(handovers: list[Handover], contact_ids: set[int], facts: _Facts) -> None:
    users = {h.from_user_id for h in handovers} | {h.to_user_id for h in handovers}
    since = min(_started(h) for h in handovers)
    attendees, participants = interaction_attendees.c, interaction_participants.c
    rows = db.session.execute(
        sa.select(
            Interaction.id,
            Interaction.occurred_at,
            attendees.contact_id,
            participants.user_id,
            Interaction.owner_id,
        )
        .join(interaction_attendees, attendees.interaction_id == Interaction.id)
        .join(interaction_participants, participants.interaction_id == Interaction.id)
        .where(
            Interaction.deleted_at.is_(None),
            Interaction.occurred_at >= since,
            attendees.contact_id.in_(contact_ids),
            participants.user_id.in_(users),
        )
    )
    for interaction_id, at, contact_id, user_id, owner_id in rows:
        meeting = facts.meetings.setdefault(interaction_id, (at, set(), set(), owner_id))
        _at, contacts, people, _owner = meeting
        contacts.add(contact_id)
        people.add(user_id)
    successors = {h.to_user_id for h in handovers}
    for contact_id, actor_id, at in db.session.execute(
        sa.select(AuditEntry.entity_id, AuditEntry.actor_id, AuditEntry.at).where(
            AuditEntry.entity_type == "contacts",
            AuditEntry.action == "confirm",
            AuditEntry.entity_id.in_(contact_ids),
            AuditEntry.actor_id.in_(successors),
            AuditEntry.at >= since,
        )
    ):
        facts.confirms.setdefault((contact_id, actor_id), []).append(at)


def _facts(handovers: list[Handover]) -> _Facts:
    links = [link for h in handovers for link in h.accounts]
    account_ids = {link.account_id for link in links}
    snapshot = {cid for link in links for cid in link.key_contact_ids}
    facts = _Facts(links, {}, defaultdict(list), defaultdict(set), defaultdict(set), set(), {}, {})
    facts.accounts = {
        row.id: row
        for row in db.session.execute(
            sa.select(Account.id, Account.name, Account.team_id).where(
                Account.id.in_(account_ids), Account.deleted_at.is_(None)
            )
        )
    }
    for contact in db.session.scalars(
        sa.select(Contact)
        .where(
            Contact.account_id.in_(facts.accounts),
            Contact.is_current,
            sa.or_(Contact.is_key, Contact.id.in_(snapshot)),
        )
        .order_by(Contact.name, Contact.id)
    ):
        facts.contacts[contact.account_id].append(contact)
    users = {h.from_user_id for h in handovers} | {h.to_user_id for h in handovers}
    _load_people(set(facts.accounts), users, facts)
    contact_ids = {c.id for cs in facts.contacts.values() for c in cs}
    if contact_ids:
        _load_proofs(handovers, contact_ids, facts)
    return facts


def _roles_item(handover: Handover, link: HandoverAccount, facts: _Facts) -> Item | None:
    old, new = handover.from_user_id, handover.to_user_id
    team, deals = facts.team[link.account_id], facts.deals[link.account_id]
    snap_team = list(link.roles.get("team", []))
    snap_deals = [(d, r) for d, r in link.roles.get("opportunities", []) if d in facts.open_deals]
    state = Roles(
        old_team=tuple(sorted(r for u, r in team if u == old)),
        old_deals=tuple(sorted((d, r) for d, u, r in deals if u == old)),
        missing_team=tuple(sorted(r for r in snap_team if (new, r) not in team)),
        missing_deals=tuple(sorted((d, r) for d, r in snap_deals if (d, new, r) not in deals)),
    )
    if not (snap_team or link.roles.get("opportunities") or state.old_team or state.old_deals):
        return None  # nothing to transfer, then or now
    done = not (state.old_team or state.old_deals or state.missing_team or state.missing_deals)
    return Item(link.account_id, ItemKind.roles_transferred, done, roles=state)


def _contact_items(handover: Handover, contact: Contact, facts: _Facts) -> list[Item]:
    started, pair = _started(handover), {handover.from_user_id, handover.to_user_id}
    joint = sorted(
        (at, interaction_id)
        for interaction_id, (at, contacts, people, owner) in facts.meetings.items()
        if at >= started and contact.id in contacts and pair <= people and owner in pair
    )
    confirmed = sorted(
        at
        for at in facts.confirms.get((contact.id, handover.to_user_id), [])
        if at >= handover.created_at
    )
    account_id = contact.account_id
    return [
        Item(
            account_id,
            ItemKind.joint_contact,
            bool(joint),
            contact.id,
            interaction_id=joint[0][1] if joint else None,
        ),
        Item(
            account_id,
            ItemKind.confirmed,
            bool(confirmed),
            contact.id,
            confirmed_at=confirmed[-1] if confirmed else None,
        ),
    ]


def _account_checklist(handover: Handover, link: HandoverAccount, facts: _Facts):
    account = AccountChecklist(facts.accounts[link.account_id], link)
    snapshot = set(link.key_contact_ids)
    account.contacts = [c for c in facts.contacts[link.account_id] if c.id in snapshot or c.is_key]
    roles = _roles_item(handover, link, facts)
    account.items = [roles] if roles else []
    for contact in account.contacts:
        account.items += _contact_items(handover, contact, facts)
    return account


def build(handovers: Iterable[Handover]) -> dict[int, Checklist]:
    """Each handover's checklist by id, from the data as it is now."""
    handovers = list(handovers)
    if not handovers:
        return {}
    facts = _facts(handovers)
    result = {}
    for handover in handovers:
        checklist = Checklist(handover)
        for link in handover.accounts:
            if link.account_id in facts.accounts:
                checklist.accounts.append(_account_checklist(handover, link, facts))
        checklist.accounts.sort(key=lambda a: (a.account.name, a.account.id))
        result[handover.id] = checklist
    return result


def of(handover: Handover) -> Checklist:
    """One handover's checklist."""
    return build([handover])[handover.id]
