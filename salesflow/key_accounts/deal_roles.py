"""Per-deal buying roles (issue 17): the contacts involved in a deal with their role in this deal,
and the deals whose decision makers (in the deal) have live ties to only one of our people."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from salesflow import scope
from salesflow.audit import services as audit
from salesflow.auth.models import User
from salesflow.contacts.models import Contact, DecisionRole
from salesflow.errors import Forbidden, ValidationFailed
from salesflow.extensions import db
from salesflow.key_accounts.deal_roles_models import OpportunityContact
from salesflow.opportunities.models import Opportunity
from salesflow.ties.models import TieTouch
from salesflow.ties.queries import in_window
from salesflow.validation import is_id, require_version


@dataclass(frozen=True)
class DealContact:
    contact: Contact
    role: DecisionRole
    # True when the deal has a row for this contact; False when the role is the account-level one
    explicit: bool


def effective_role(contact: Contact, row_role: str | None) -> DecisionRole:
    """A contact's role in a deal: the deal's own when it has one, else the account-level role."""
    return DecisionRole(row_role) if row_role is not None else DecisionRole(contact.decision_role)


def deal_contacts(opportunity: Opportunity) -> list[DealContact]:
    """The deal's contacts: those with a row (current contacts only), or — when the deal has
    none — the account's key contacts with their account-level role. Two queries at most."""
    rows = db.session.execute(
        sa.select(Contact, OpportunityContact.role)
        .join(OpportunityContact, OpportunityContact.contact_id == Contact.id)
        .where(OpportunityContact.opportunity_id == opportunity.id, Contact.is_current)
        .order_by(Contact.name, Contact.id)
    ).all()
    if rows:
        return [DealContact(c, effective_role(c, role), True) for c, role in rows]
    keys = db.session.scalars(
        sa.select(Contact)
        .where(Contact.account_id == opportunity.account_id, Contact.is_key)
        .order_by(Contact.name, Contact.id)
    )
    return [DealContact(c, effective_role(c, None), False) for c in keys]


def _decision_makers(opportunity_ids: Collection[int]) -> sa.CTE:
    """(opportunity_id, account_id, contact_id) of each deal's decision makers in the deal."""
    has_rows = sa.exists().where(OpportunityContact.opportunity_id == Opportunity.id)
    explicit = (
        sa.select(
            OpportunityContact.opportunity_id, Contact.account_id, OpportunityContact.contact_id
        )
        .join(Contact, Contact.id == OpportunityContact.contact_id)
        .where(
            OpportunityContact.opportunity_id.in_(opportunity_ids),
            OpportunityContact.role == DecisionRole.decision_maker,
            Contact.is_current,
        )
    )
    by_default = (
        sa.select(Opportunity.id, Contact.account_id, Contact.id)
        .join(Contact, Contact.account_id == Opportunity.account_id)
        .where(
            Opportunity.id.in_(opportunity_ids),
            ~has_rows,
            Contact.is_current,
            Contact.decision_role == DecisionRole.decision_maker,
        )
    )
    return sa.union_all(explicit, by_default).cte("deal_decision_makers")


def single_threaded(opportunity_ids: Collection[int], *, now: datetime) -> set[int]:
    """The deals among `opportunity_ids` whose decision makers (in the deal) have live ties to
    exactly one of our people, all together. One query for the whole set."""
    ids = list(opportunity_ids)
    if not ids:
        return set()
    dms = _decision_makers(ids)
    holders = sa.func.count(sa.distinct(TieTouch.user_id))
    query = (
        sa.select(dms.c.opportunity_id)
        # by the account first: the touch counts' key and covering index lead with it
        .join(
            TieTouch,
            (TieTouch.account_id == dms.c.account_id) & (TieTouch.contact_id == dms.c.contact_id),
        )
        .where(in_window(now))
        .group_by(dms.c.opportunity_id)
        .having(holders == 1)
    )
    return set(db.session.scalars(query))


def _pairs(opportunity_id: int) -> list[list[Any]]:
    rows = db.session.execute(
        sa.select(OpportunityContact.contact_id, OpportunityContact.role).where(
            OpportunityContact.opportunity_id == opportunity_id
        )
    )
    return sorted([cid, DecisionRole(role).value] for cid, role in rows)


def _wanted(opportunity: Opportunity, rows: Any) -> dict[int, DecisionRole]:
    """{contact id: role} asked for, or ValidationFailed naming every bad row: current contacts
    of the deal's account, each once, with a decision role."""
    if not isinstance(rows, list):
        raise ValidationFailed(fields={"contacts": [str(_l("Give a list of contacts."))]})
    ids = {r.get("contact_id") for r in rows if isinstance(r, dict)}
    ours = set(
        db.session.scalars(
            sa.select(Contact.id).where(
                Contact.id.in_([i for i in ids if is_id(i)]),
                Contact.account_id == opportunity.account_id,
                Contact.is_current,
            )
        )
    )
    roles = {r.value for r in DecisionRole}
    problems: list[str] = []
    wanted: dict[int, DecisionRole] = {}
    for n, row in enumerate(rows, start=1):
        row = row if isinstance(row, dict) else {}
        contact_id, role = row.get("contact_id"), row.get("role")
        if contact_id not in ours:
            problems.append(str(_l("Row %(n)d: choose a current contact of this account.", n=n)))
        elif role not in roles:
            problems.append(str(_l("Row %(n)d: choose a decision role.", n=n)))
        elif contact_id in wanted:
            problems.append(str(_l("Row %(n)d: this contact is listed twice.", n=n)))
        else:
            wanted[contact_id] = DecisionRole(role)
    if problems:
        raise ValidationFailed(fields={"contacts": problems})
    return wanted


def set_deal_contacts(
    opportunity: Opportunity, data: dict[str, Any], *, actor: User, now: datetime
) -> Opportunity:
    """Replace the deal's contacts with `data["contacts"]` ([{contact_id, role}]), naming the
    deal's `version` read; audited as one change of "buying_roles" and the deal's version moves on.
    Raises Forbidden (scope.can_set_roles), ValidationFailed, Conflict (a stale version)."""
    if not scope.can_set_roles(actor, opportunity):
        raise Forbidden()
    require_version(opportunity, data)
    wanted = _wanted(opportunity, data.get("contacts"))
    before = _pairs(opportunity.id)
    db.session.execute(
        sa.delete(OpportunityContact).where(OpportunityContact.opportunity_id == opportunity.id)
    )
    db.session.add_all(
        OpportunityContact(opportunity_id=opportunity.id, contact_id=cid, role=role)
        for cid, role in wanted.items()
    )
    after = sorted([cid, role.value] for cid, role in wanted.items())
    if before != after:
        # the deal's version moves on (the row is updated though no column of it changed), so
        # a form read before this change is a 409
        opportunity.updated_at = now
        so.attributes.flag_modified(opportunity, "updated_at")
        db.session.flush()
        audit.record(
            opportunity,
            "update",
            {"buying_roles": (before, after)},
            actor=actor,
            now=now,
            account_id=opportunity.account_id,
        )
    db.session.flush()
    return opportunity


def contact_rows(opportunity: Opportunity) -> list[dict[str, Any]]:
    """The deal's explicit rows as [{contact_id, role}] (the API's `contacts`)."""
    return [{"contact_id": cid, "role": role} for cid, role in _pairs(opportunity.id)]


def change_deal_contact(
    opportunity: Opportunity, data: dict[str, Any], *, actor: User, now: datetime
) -> Opportunity:
    """One change from the deal page: set `contact_id`'s role in the deal to `role`, or remove
    the contact when `remove`. A deal still on its account's key contacts keeps them, each with
    its account-level role, beside the change. Raises as set_deal_contacts."""
    rows = {d.contact.id: d.role.value for d in deal_contacts(opportunity)}
    contact_id = data.get("contact_id")
    if data.get("remove"):
        rows.pop(contact_id, None)  # type: ignore[arg-type]
        listed = [{"contact_id": cid, "role": role} for cid, role in rows.items()]
    else:
        listed = [
            {"contact_id": cid, "role": role} for cid, role in rows.items() if cid != contact_id
        ]
        listed.append({"contact_id": contact_id, "role": data.get("role")})
    return set_deal_contacts(
        opportunity, {"version": data.get("version"), "contacts": listed}, actor=actor, now=now
    )
