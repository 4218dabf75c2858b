"""Handovers: planning one, transferring the roles, the successor's confirmation of each key
contact, and telling the creator when the checklist is complete. The checklist itself is never
written: `handovers.checklist` derives it from the data (PRODUCT.md, capability 4).

Leadership and admins plan handovers for anyone; a director between people of their own team
and for the team's accounts (scope.can_plan_handover); reps never. Every write is audited
and flushed, never committed (STYLE.md rules 4 and 5).
"""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from salesflow import clock, links, scope
from salesflow.accounts import services as account_services
from salesflow.accounts.models import Account, AccountMember
from salesflow.audit import services as audit
from salesflow.auth.models import User
from salesflow.contacts import services as contact_services
from salesflow.contacts.models import Contact
from salesflow.errors import Forbidden, NotFound, ValidationFailed
from salesflow.extensions import db
from salesflow.handovers import checklist, queries, risks
from salesflow.handovers.models import Handover, HandoverAccount
from salesflow.notifications.services import notify
from salesflow.opportunities import services as opportunity_services
from salesflow.opportunities.models import Opportunity, OpportunityRole, Status
from salesflow.ties import touches
from salesflow.validation import Errors, add, day, is_id

MAX_ACCOUNTS = 1000


def _link(handover: Handover) -> str:
    return links.path("handovers.detail", handover_id=handover.id)


def _person(value: Any, name: str, missing: Any, errors: Errors) -> User | None:
    user = db.session.get(User, value) if is_id(value) else None
    if user is None:
        add(errors, name, missing)
    return user


def _people(data: dict[str, Any], actor: User, errors: Errors) -> tuple[User | None, User | None]:
    """The person handing over (a leaver too) and the successor (active, someone else), both
    people the actor may plan for."""
    old = _person(
        data.get("from_user_id"), "from_user_id", _l("Choose the person who hands over."), errors
    )
    new = _person(data.get("to_user_id"), "to_user_id", _l("Choose the successor."), errors)
    if new is not None and not new.active:
        add(errors, "to_user_id", _l("%(name)s is no longer active.", name=new.name))
    if old is not None and new is not None and old.id == new.id:
        add(errors, "to_user_id", _l("Choose someone other than the person who hands over."))
    for name, user in (("from_user_id", old), ("to_user_id", new)):
        if user is not None and not scope.can_plan_handover(actor, [user], []):
            add(errors, name, _l("Choose someone of your team."))
    return old, new


def _due_date(value: Any, now: datetime, errors: Errors) -> date | None:
    value = day(value, "due_date", errors, required=_l("Enter a due date."))
    if value is not None and value < clock.today(now):
        add(errors, "due_date", _l("The due date cannot be in the past."))
    return value


def _accounts(
    value: Any, old: User | None, actor: User, now: datetime, errors: Errors
) -> list[Account]:
    """The accounts asked for, or — when none are named — every account of the person handing
    over (team, open deals, live ties) that the actor may hand over."""
    if value is None:
        if old is None:
            return []
        found = queries.accounts_of(old.id, actor=actor, now=now)
        if not found:
            add(errors, "account_ids", _l("%(name)s has no accounts to hand over.", name=old.name))
        return found
    if not isinstance(value, list | tuple) or not all(is_id(v) for v in value):
        add(errors, "account_ids", _l("Give a list of account ids."))
        return []
    ids = list(dict.fromkeys(value))
    if not ids:
        add(errors, "account_ids", _l("Choose at least one account."))
    elif len(ids) > MAX_ACCOUNTS:
        add(errors, "account_ids", _l("Choose at most %(n)d accounts.", n=MAX_ACCOUNTS))
        return []
    found = {
        a.id: a
        for a in db.session.scalars(
            sa.select(Account).where(Account.id.in_(ids), queries.plannable_accounts(actor))
        )
    }
    if unknown := [i for i in ids if i not in found]:
        add(
            errors,
            "account_ids",
            _l(
                "You cannot hand over these accounts: %(ids)s.",
                ids=", ".join(f"#{i}" for i in unknown),
            ),
        )
    return [found[i] for i in ids if i in found]


def _snapshot(handover: Handover, accounts: list[Account], now: datetime) -> None:
    """What each account is at creation: the old person's roles (team, open deals), its key
    contacts and its risk; four queries for any number of accounts."""
    ids = {a.id for a in accounts}
    team: dict[int, list[str]] = {a: [] for a in ids}
    for account_id, role in db.session.execute(
        sa.select(AccountMember.account_id, AccountMember.role).where(
            AccountMember.account_id.in_(ids), AccountMember.user_id == handover.from_user_id
        )
    ):
        team[account_id].append(role.value)
    deals: dict[int, list[list[Any]]] = {a: [] for a in ids}
    for account_id, deal_id, role in db.session.execute(
        sa.select(Opportunity.account_id, Opportunity.id, OpportunityRole.role)
        .join(OpportunityRole, OpportunityRole.opportunity_id == Opportunity.id)
        .where(
            Opportunity.account_id.in_(ids),
            OpportunityRole.user_id == handover.from_user_id,
            Opportunity.status == Status.open,
            Opportunity.deleted_at.is_(None),
        )
    ):
        deals[account_id].append([deal_id, role.value])
    keys: dict[int, list[int]] = {a: [] for a in ids}
    for account_id, contact_id in db.session.execute(
        sa.select(Contact.account_id, Contact.id)
        .where(Contact.account_id.in_(ids), Contact.is_key)
        .order_by(Contact.id)
    ):
        keys[account_id].append(contact_id)
    before = risks.of(ids, now=now)
    handover.accounts = [
        HandoverAccount(
            account_id=a.id,
            roles={"team": sorted(team[a.id]), "opportunities": sorted(deals[a.id])},
            key_contact_ids=keys[a.id],
            risk_before=before[a.id].name,
        )
        for a in accounts
    ]


def _names(handover: Handover) -> dict[str, Any]:
    return {"from_user": handover.from_user.name, "to_user": handover.to_user.name}


def create_handover(data: dict[str, Any], *, actor: User, now: datetime) -> Handover:
    """Plan a handover of `account_ids` (or, when absent, all the person's accounts) from one
    person to an active other by a due date from today on; snapshot each account; tell the two
    people and their teams' directors. Raises Forbidden (reps), ValidationFailed (every
    problem at once)."""
    if not scope.can_plan_handovers(actor):
        raise Forbidden()
    errors: Errors = {}
    old, new = _people(data, actor, errors)
    due = _due_date(data.get("due_date"), now, errors)
    accounts = _accounts(data.get("account_ids"), old, actor, now, errors)
    if errors:
        raise ValidationFailed(fields=errors)
    assert old is not None and new is not None and due is not None
    handover = Handover(
        from_user_id=old.id,
        to_user_id=new.id,
        due_date=due,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    _snapshot(handover, accounts, now)
    db.session.add(handover)
    db.session.flush()
    audit.record(
        handover,
        "create",
        {
            "from_user_id": (None, old.id),
            "to_user_id": (None, new.id),
            "due_date": (None, due),
            "account_ids": (None, handover.account_ids),
        },
        actor=actor,
        now=now,
    )
    directors = queries.team_directors({old.team_id, new.team_id, *(a.team_id for a in accounts)})
    notify(
        [u for u in (old, new, *directors) if u.id != actor.id],
        "handover_planned",
        params={
            **_names(handover),
            "creator": actor.name,
            "due": due.isoformat(),
            "accounts": len(accounts),
        },
        link=_link(handover),
        key=f"handover:{handover.id}:planned",
        now=now,
    )
    return handover


def _swap(pairs: Iterable[tuple[int, str]], old: int, new: int) -> list[dict[str, Any]]:
    """The same roles with the old person replaced by the successor, each (person, role) once."""
    swapped = dict.fromkeys((new if user == old else user, role) for user, role in pairs)
    return [{"user_id": user, "role": role} for user, role in swapped]


def transfer_roles(handover: Handover, *, actor: User, now: datetime) -> int:
    """Give the successor every role the old person holds on the handover's accounts: account
    teams and open deals (through the accounts' and opportunities' services, each audited).
    Returns how many teams and deals changed. Raises Forbidden (not a planner of this
    handover), ValidationFailed (e.g. the successor has since been deactivated)."""
    if not scope.can_manage_handover(actor, handover):
        raise Forbidden()
    old, new = handover.from_user_id, handover.to_user_id
    ids = set(handover.account_ids)
    held = sa.select(AccountMember.account_id).where(AccountMember.user_id == old)
    accounts = db.session.scalars(
        sa.select(Account)
        .where(Account.id.in_(ids), Account.id.in_(held), Account.deleted_at.is_(None))
        .options(so.selectinload(Account.members))
    ).all()
    seated = sa.select(OpportunityRole.opportunity_id).where(OpportunityRole.user_id == old)
    deals = db.session.scalars(
        sa.select(Opportunity)
        .where(
            Opportunity.account_id.in_(ids),
            Opportunity.id.in_(seated),
            Opportunity.status == Status.open,
            Opportunity.deleted_at.is_(None),
        )
        .options(so.selectinload(Opportunity.roles))
    ).all()
    for account in accounts:
        members = _swap(((m.user_id, m.role.value) for m in account.members), old, new)
        account_services.set_account_team(account, members, actor=actor, now=now)
    for deal in deals:
        seats = _swap(((r.user_id, r.role.value) for r in deal.roles), old, new)
        opportunity_services.set_roles(deal, seats, actor=actor, now=now)
    changed = len(accounts) + len(deals)
    if changed:
        audit.record(handover, "transfer", {"roles": (None, changed)}, actor=actor, now=now)
        notify(
            [u for u in (handover.from_user, handover.to_user) if u.id != actor.id],
            "roles_transferred",
            params={**_names(handover), "actor": actor.name},
            link=_link(handover),
            key=f"handover:{handover.id}:transferred",
            now=now,
        )
    note_completion([handover], now=now)
    return changed


def confirm_contact(
    handover: Handover, contact_id: int, data: dict[str, Any], *, actor: User, now: datetime
) -> Contact:
    """The successor confirms a key contact's attitude and influence (changing them first when
    `data` says otherwise, through the contacts' service): an audit entry "confirm" on the
    contact. Raises Forbidden (anyone but the successor), NotFound (not a key contact of this
    handover), ValidationFailed (a value outside the vocabulary)."""
    if actor.id != handover.to_user_id:
        raise Forbidden(_l("Only the successor confirms the decision chain."))
    listed = {c.id: c for a in checklist.of(handover).accounts for c in a.contacts}
    contact = listed.get(contact_id)
    if contact is None:
        raise NotFound()
    # The successor states both values; the contact as read in this request is what they change.
    values = {
        "attitude": data.get("attitude") or contact.attitude.value,
        "influence": data.get("influence") or contact.influence.value,
        "version": contact.version,
    }
    contact_services.update_contact(contact, values, actor=actor, now=now)
    confirmed = {
        "attitude": (contact.attitude, contact.attitude),
        "influence": (contact.influence, contact.influence),
    }
    audit.record(contact, "confirm", confirmed, actor=actor, now=now, account_id=contact.account_id)
    db.session.flush()
    note_completion([handover], now=now)
    return contact


def confirm_contacts(
    handover: Handover, rows: dict[int, dict[str, Any]], *, actor: User, now: datetime
) -> list[Contact]:
    """The successor confirms several key contacts at once ({contact id: {attitude, influence}}),
    each as `confirm_contact` does; all or nothing. Raises Forbidden (anyone but the successor),
    ValidationFailed (none chosen, or one that is no key contact of this handover)."""
    if actor.id != handover.to_user_id:
        raise Forbidden(_l("Only the successor confirms the decision chain."))
    listed = {c.id for a in checklist.of(handover).accounts for c in a.contacts}
    if not rows:
        raise ValidationFailed(fields={"contact_ids": [str(_l("Tick at least one contact."))]})
    if unknown := [i for i in rows if i not in listed]:
        message = _l(
            "These are not key contacts of this handover: %(ids)s.",
            ids=", ".join(f"#{i}" for i in unknown),
        )
        raise ValidationFailed(fields={"contact_ids": [str(message)]})
    return [
        confirm_contact(handover, contact_id, data, actor=actor, now=now)
        for contact_id, data in rows.items()
    ]


def plan_joint_contact(
    handover: Handover, contact_id: int, data: dict[str, Any], *, actor: User, now: datetime
) -> date:
    """Plan the joint contact with a key contact of the handover: a next step for the successor
    (with the person handing over), due on a day from today on — recorded on the handover (an
    audit entry "plan_joint"), not as a contact that took place, so it proves nothing until the
    two of them meet the customer and log it. Raises Forbidden (not the two people nor a planner
    of the handover), NotFound (no key contact of it), ValidationFailed (no date, or a past one)."""
    if not scope.can_plan_joint_contact(actor, handover):
        raise Forbidden()
    listed = {c.id: c for a in checklist.of(handover).accounts for c in a.contacts}
    contact = listed.get(contact_id)
    if contact is None:
        raise NotFound()
    errors: Errors = {}
    due = day(data.get("due"), "due", errors, required=_l("Enter the day of the joint contact."))
    if due is not None and due < clock.today(now):
        add(errors, "due", _l("Choose a day from today on: this plans a contact to come."))
    if errors:
        raise ValidationFailed(fields=errors)
    assert due is not None
    changes = {"contact_id": (None, contact.id), "due": (None, due)}
    # the handover's own record (not the account's history: the contact has not happened)
    audit.record(handover, queries.PLAN_ACTION, changes, actor=actor, now=now)
    db.session.flush()
    return due


def note_completion(handovers: Iterable[Handover], *, now: datetime) -> list[Handover]:
    """Mark the handovers whose checklist is now complete for the first time, and tell each
    creator once (the notification's key makes a repeat harmless); returns those marked."""
    pending = [h for h in handovers if h.completed_at is None]
    marked = []
    for handover_id, items in checklist.build(pending).items():
        if items.complete:
            handover = items.handover
            handover.completed_at = now
            marked.append(handover)
            notify(
                [handover.created_by],
                "handover_complete",
                params=_names(handover),
                link=_link(handover),
                key=f"handover:{handover_id}:complete",
                now=now,
            )
    db.session.flush()
    # the person handing over no longer counts on these accounts (dependency.queries.Gone)
    touches.changed({a for h in marked for a in h.account_ids}, now=now)
    return marked


def note_completions(*, now: datetime, batch: int = 200) -> int:
    """Look at every handover not yet seen complete, a batch at a time (for a job or the CLI:
    a joint contact logged last completes a handover without any handover action)."""
    last, count = 0, 0
    while True:
        handovers = (
            db.session.scalars(
                queries.loaded(sa.select(Handover))
                .where(Handover.completed_at.is_(None), Handover.id > last)
                .order_by(Handover.id)
                .limit(batch)
            )
            .unique()
            .all()
        )
        if not handovers:
            return count
        last = handovers[-1].id
        count += len(note_completion(handovers, now=now))
