"""What the handover pages show: each handover with its checklist, whether it is overdue
(Handover.is_overdue on the company's day) and, on its page, per account the risk before and now,
the roles still to transfer and per key contact the joint contact and the successor's
confirmation, with what the reader may do about each — computed here, so the templates render."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum

import sqlalchemy as sa

from salesflow import clock, scope
from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.extensions import db
from salesflow.forms import ButtonForm
from salesflow.handovers import checklist, queries, risks
from salesflow.handovers.checklist import AccountChecklist, Checklist, Item, ItemKind
from salesflow.handovers.forms import ConfirmForm
from salesflow.handovers.models import Handover
from salesflow.opportunities.models import Opportunity
from salesflow.ties import people as ties_people
from salesflow.ties.people import Person


@dataclass(frozen=True)
class Row:
    """A handover as the list shows it."""

    handover: Handover
    checklist: Checklist
    overdue: bool
    from_person: Person
    to_person: Person


def rows(handovers: Iterable[Handover], now: datetime) -> list[Row]:
    """The list's rows, every checklist in a few queries (handovers.checklist.build)."""
    handovers = list(handovers)
    lists, today = checklist.build(handovers), clock.today(now)
    people = ties_people.named({u for h in handovers for u in (h.from_user_id, h.to_user_id)})
    return [
        Row(
            h,
            lists[h.id],
            lists[h.id].overdue(today),
            people[h.from_user_id],
            people[h.to_user_id],
        )
        for h in handovers
    ]


@dataclass
class ContactRow:
    contact: Contact
    joint: Item
    confirmed: Item
    # the successor's selects for this contact in the one confirmation form, prefilled; none
    # for anyone else or once confirmed
    confirm_form: ConfirmForm | None = None
    planned: date | None = None  # the joint contact's planned day, until it is proven
    may_plan: bool = False  # the reader may plan the joint contact (not proven yet)


@dataclass
class AccountRow:
    checklist: AccountChecklist
    risk_before: str  # the risk's name kept when the handover was planned
    risk_now: Enum | None
    roles: Item | None
    contacts: list[ContactRow] = field(default_factory=list)


@dataclass
class HandoverPage:
    handover: Handover
    checklist: Checklist
    overdue: bool
    can_manage: bool
    is_successor: bool
    # the people as the page names them (ties.people: told apart, a leaver marked)
    from_person: Person
    to_person: Person
    accounts: list[AccountRow] = field(default_factory=list)
    deal_names: dict[int, str] = field(default_factory=dict)
    button_form: ButtonForm = field(default_factory=ButtonForm)
    today: date | None = None  # the earliest day a joint contact may be planned for
    may_plan: bool = False  # the reader may plan joint contacts (scope.can_plan_joint_contact)

    @property
    def to_confirm(self) -> list[ContactRow]:
        """The rows of the successor's one confirmation form."""
        return [c for a in self.accounts for c in a.contacts if c.confirm_form is not None]


def _deal_names(items: Checklist) -> dict[int, str]:
    """The names of the deals whose roles are still to transfer (one query)."""
    ids = {d for i in items.items if i.roles for d, _r in i.roles.old_deals + i.roles.missing_deals}
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Opportunity.id, Opportunity.name).where(Opportunity.id.in_(ids))
    )
    return {deal_id: name for deal_id, name in rows}


def _contact_row(
    account: AccountChecklist, contact: Contact, page: "HandoverPage", planned: date | None
) -> ContactRow:
    row = ContactRow(
        contact,
        joint=account.item(ItemKind.joint_contact, contact.id),  # type: ignore[arg-type]
        confirmed=account.item(ItemKind.confirmed, contact.id),  # type: ignore[arg-type]
    )
    if not row.joint.done:
        row.planned = planned
        row.may_plan = page.may_plan
    if page.is_successor and not row.confirmed.done:
        values = {"attitude": contact.attitude.value, "influence": contact.influence.value}
        row.confirm_form = ConfirmForm(formdata=None, data=values, prefix=f"c{contact.id}")
    return row


def build(handover: Handover, user: User, now: datetime) -> HandoverPage:
    """Everything the handover page shows, as of `now`."""
    items = checklist.of(handover)
    risks_now = risks.of(set(handover.account_ids), now=now)
    people = ties_people.named({handover.from_user_id, handover.to_user_id})
    planned = queries.planned_joint_contacts({handover.id})
    page = HandoverPage(
        handover=handover,
        checklist=items,
        overdue=items.overdue(clock.today(now)),
        can_manage=scope.can_manage_handover(user, handover),
        is_successor=user.id == handover.to_user_id,
        from_person=people[handover.from_user_id],
        to_person=people[handover.to_user_id],
        deal_names=_deal_names(items),
        today=clock.today(now),
        may_plan=scope.can_plan_joint_contact(user, handover),
    )
    for account in items.accounts:
        row = AccountRow(
            account,
            risk_before=account.link.risk_before,
            risk_now=risks_now.get(account.account.id),
            roles=account.item(ItemKind.roles_transferred),
        )
        row.contacts = [
            _contact_row(account, c, page, planned.get((handover.id, c.id)))
            for c in account.contacts
        ]
        page.accounts.append(row)
    return page


@dataclass(frozen=True)
class PlannedJoint:
    contact: Contact
    day: date


@dataclass(frozen=True)
class Received:
    """A handover the reader takes over, as My day shows it: from whom, how far, by when, and
    the joint contacts planned and not yet proven, the soonest first."""

    handover: Handover
    from_person: Person
    percent: int
    overdue: bool
    planned: list[PlannedJoint]


def for_my_day(user: User, now: datetime) -> list[Received]:
    """The handovers `user` takes over that are not complete (handovers.queries.received), each
    with its checklist and planned joint contacts: a few queries for all of them."""
    handovers = queries.received(user)
    if not handovers:
        return []
    lists, today = checklist.build(handovers), clock.today(now)
    planned = queries.planned_joint_contacts({h.id for h in handovers})
    people = ties_people.named({h.from_user_id for h in handovers})
    shown = []
    for handover in handovers:
        items = lists[handover.id]
        if items.complete:
            continue
        contacts = {c.id: c for a in items.accounts for c in a.contacts}
        joint_done = {
            i.contact_id for i in items.items if i.kind == ItemKind.joint_contact and i.done
        }
        steps = sorted(
            (
                PlannedJoint(contacts[c], day)
                for (h, c), day in planned.items()
                if h == handover.id and c in contacts and c not in joint_done
            ),
            key=lambda p: (p.day, p.contact.name),
        )
        shown.append(
            Received(
                handover, people[handover.from_user_id], items.percent, items.overdue(today), steps
            )
        )
    return shown
