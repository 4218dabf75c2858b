"""What the handover pages show: each handover with its checklist, whether it is overdue
(Handover.is_overdue on the company's day) and, on its page, per account the risk before and now,
the roles still to transfer and per key contact the joint contact and the successor's
confirmation, with what the reader may do about each — computed here, so the templates render."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

import sqlalchemy as sa

from salesflow import clock, scope
from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.extensions import db
from salesflow.forms import ButtonForm
from salesflow.handovers import checklist, risks
from salesflow.handovers.checklist import AccountChecklist, Checklist, Item, ItemKind
from salesflow.handovers.forms import ConfirmForm
from salesflow.handovers.models import Handover
from salesflow.opportunities.models import Opportunity


@dataclass(frozen=True)
class Row:
    """A handover as the list shows it."""

    handover: Handover
    checklist: Checklist
    overdue: bool


def rows(handovers: Iterable[Handover], now: datetime) -> list[Row]:
    """The list's rows, every checklist in a few queries (handovers.checklist.build)."""
    handovers = list(handovers)
    lists, today = checklist.build(handovers), clock.today(now)
    return [Row(h, lists[h.id], lists[h.id].overdue(today)) for h in handovers]


@dataclass
class ContactRow:
    contact: Contact
    joint: Item
    confirmed: Item
    confirm_form: ConfirmForm | None = None  # the successor's, prefilled; none for anyone else


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
    accounts: list[AccountRow] = field(default_factory=list)
    deal_names: dict[int, str] = field(default_factory=dict)
    button_form: ButtonForm = field(default_factory=ButtonForm)


def _deal_names(items: Checklist) -> dict[int, str]:
    """The names of the deals whose roles are still to transfer (one query)."""
    ids = {d for i in items.items if i.roles for d, _r in i.roles.old_deals + i.roles.missing_deals}
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Opportunity.id, Opportunity.name).where(Opportunity.id.in_(ids))
    )
    return {deal_id: name for deal_id, name in rows}


def _contact_row(account: AccountChecklist, contact: Contact, is_successor: bool) -> ContactRow:
    row = ContactRow(
        contact,
        joint=account.item(ItemKind.joint_contact, contact.id),  # type: ignore[arg-type]
        confirmed=account.item(ItemKind.confirmed, contact.id),  # type: ignore[arg-type]
    )
    if is_successor and not row.confirmed.done:
        values = {"attitude": contact.attitude.value, "influence": contact.influence.value}
        row.confirm_form = ConfirmForm(formdata=None, data=values)
    return row


def build(handover: Handover, user: User, now: datetime) -> HandoverPage:
    """Everything the handover page shows, as of `now`."""
    items = checklist.of(handover)
    risks_now = risks.of(set(handover.account_ids), now=now)
    page = HandoverPage(
        handover=handover,
        checklist=items,
        overdue=items.overdue(clock.today(now)),
        can_manage=scope.can_manage_handover(user, handover),
        is_successor=user.id == handover.to_user_id,
        deal_names=_deal_names(items),
    )
    for account in items.accounts:
        row = AccountRow(
            account,
            risk_before=account.link.risk_before,
            risk_now=risks_now.get(account.account.id),
            roles=account.item(ItemKind.roles_transferred),
        )
        row.contacts = [_contact_row(account, c, page.is_successor) for c in account.contacts]
        page.accounts.append(row)
    return page
