"""Contact history: every write and rule for interactions (PRODUCT.md, "Contact history").

An interaction belongs to one account; its attendees are current contacts of that account, its
participants are our active users. Nothing is hard-deleted: directors and admins soft-delete and
restore. Every change is audited with the account, so the account page shows it.
"""

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from salesflow import clock, scope, validation
from salesflow.accounts.models import Account
from salesflow.audit import services as audit
from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.db import insert_many, new_ids
from salesflow.errors import Forbidden, NotFound, ValidationFailed
from salesflow.extensions import db
from salesflow.interactions.models import (
    Interaction,
    Kind,
    interaction_attendees,
    interaction_participants,
)
from salesflow.key_accounts import spend_split
from salesflow.key_accounts.spend_kinds import clean_spend_kind
from salesflow.opportunities.models import Opportunity
from salesflow.ties import touches
from salesflow.validation import Errors, add, day, is_id, moment, money, require_version, text

# Text fields (lengths from the columns); what happened may take several lines.
TEXT_FIELDS = {"summary": True, "outcome": True, "next_step": False}
COLUMNS = (
    "opportunity_id",
    "occurred_at",
    "kind",
    "summary",
    "outcome",
    "next_step",
    "next_step_due",
    "cost",
    "spend_kind",
)
MAX_COST = Decimal(10) ** 10
# A contact logged from a phone in another time zone may be "tomorrow" here; more is a typo.
FUTURE_SLACK = timedelta(days=1)


def _text(data: dict[str, Any], clean: dict[str, Any], errors: Errors) -> None:
    for name, multiline in TEXT_FIELDS.items():
        if name in data:
            column = getattr(Interaction, name)
            clean[name] = text(data[name], name, errors, column=column, multiline=multiline)
    if "summary" in clean and not clean["summary"] and "summary" not in errors:
        add(errors, "summary", _l("Say what happened."))


def _occurred_at(value: Any, now: datetime, errors: Errors) -> datetime | None:
    required = _l("Enter when it happened.")
    occurred_at = moment(value, "occurred_at", errors, required=required)
    if occurred_at is not None and occurred_at > now + FUTURE_SLACK:
        add(errors, "occurred_at", _l("This is too far in the future."))
    return occurred_at


def _cost(value: Any, errors: Errors) -> Decimal | None:
    """A decimal amount ≥ 0, below 10^10, with at most 2 decimals; empty is "not recorded"."""
    return money(
        value, "cost", errors, maximum=MAX_COST, negative=_l("The cost cannot be negative.")
    )


def _spend(data: dict[str, Any], clean: dict[str, Any], errors: Errors) -> None:
    """The cost and what it bought (its spend kind), each when given."""
    if "cost" in data:
        clean["cost"] = _cost(data["cost"], errors)
    if "spend_kind" in data:
        clean["spend_kind"] = clean_spend_kind(data["spend_kind"], errors)


def _participants(
    value: Any, keep: set[int], errors: Errors, loaded: dict[int, User] | None = None
) -> list[User] | None:
    """Our active users (someone already on the record stays even if since deactivated).
    `loaded`: the users already read, when many interactions are checked at once."""
    ids = validation.ids(value, "participant_ids", errors)
    if ids is None:
        return None
    if not ids:
        add(errors, "participant_ids", _l("Choose at least one of our people."))
        return None
    if loaded is not None:
        users = [loaded[i] for i in ids if i in loaded]
    else:
        users = db.session.scalars(sa.select(User).where(User.id.in_(ids))).all()
    found = {u.id: u for u in users if u.may_hold(keep)}
    if len(found) != len(ids):
        add(errors, "participant_ids", _l("Choose active users only."))
        return None
    return [found[i] for i in ids]


def _attendees(
    value: Any,
    account_id: int,
    keep: set[int],
    errors: Errors,
    loaded: dict[int, Contact] | None = None,
) -> list[Contact] | None:
    """Current contacts (not deleted, not left) of this very account; an attendee already on the
    record stays even if they have since left (history). `loaded`: the contacts already read."""
    ids = validation.ids(value, "contact_ids", errors)
    if ids is None:
        return None
    if loaded is not None:
        contacts = [loaded[i] for i in ids if i in loaded]
    else:
        contacts = db.session.scalars(sa.select(Contact).where(Contact.id.in_(ids))).all()
    found = {
        c.id: c
        for c in contacts
        if c.account_id == account_id and (c.is_current or (c.id in keep and not c.is_deleted))
    }
    if len(found) != len(ids):
        add(errors, "contact_ids", _l("Choose current contacts of this account only."))
        return None
    return [found[i] for i in ids]


def _opportunity(value: Any, account_id: int, errors: Errors) -> int | None:
    """The deal this contact worked on: one of this account's (not deleted), or none."""
    if value is None or value == "":
        return None
    found = is_id(value) and db.session.scalar(
        sa.select(Opportunity.id).where(
            Opportunity.id == value,
            Opportunity.account_id == account_id,
            Opportunity.deleted_at.is_(None),
        )
    )
    if not found:
        add(errors, "opportunity_id", _l("Choose an opportunity of this account."))
        return None
    return value


def _validate(
    data: dict[str, Any],
    account_id: int | None,
    interaction: Interaction | None,
    now: datetime,
    loaded: tuple[dict[int, User], dict[int, Contact]] | None = None,
) -> tuple[dict[str, Any], Errors]:
    """Clean every field given; return the cleaned values and every problem found. `loaded`:
    the users and contacts already read (many interactions checked at once)."""
    users, contacts = loaded if loaded is not None else (None, None)
    errors: Errors = {}
    clean: dict[str, Any] = {}
    _text(data, clean, errors)
    if "occurred_at" in data:
        clean["occurred_at"] = _occurred_at(data["occurred_at"], now, errors)
    if "kind" in data:
        try:
            clean["kind"] = Kind(data["kind"])
        except ValueError:
            add(errors, "kind", _l("Not one of the allowed values."))
    _spend(data, clean, errors)
    if "next_step_due" in data:
        clean["next_step_due"] = day(data["next_step_due"], "next_step_due", errors)
    if "opportunity_id" in data and account_id is not None:
        clean["opportunity_id"] = _opportunity(data["opportunity_id"], account_id, errors)
    next_step = clean.get("next_step", interaction.next_step if interaction else None)
    due = clean.get("next_step_due", interaction.next_step_due if interaction else None)
    if due is not None and not next_step and "next_step_due" not in errors:
        add(errors, "next_step_due", _l("A due date needs a next step."))
    if data.get("participant_ids") is not None:
        keep = {u.id for u in interaction.participants} if interaction else set()
        clean["participants"] = _participants(data["participant_ids"], keep, errors, users)
    if data.get("contact_ids") is not None and account_id is not None:
        keep = {c.id for c in interaction.attendees} if interaction else set()
        clean["attendees"] = _attendees(data["contact_ids"], account_id, keep, errors, contacts)
    spend_split.check(data, clean, interaction, errors)  # the amounts per attendee, if given
    return clean, errors


def _apply(interaction: Interaction, clean: dict[str, Any]) -> audit.Changes:
    """Set the columns and the two people lists; the lists are audited as id lists."""
    changes = audit.apply_changes(interaction, clean, COLUMNS)
    for attr, name in (("participants", "participant_ids"), ("attendees", "contact_ids")):
        if attr not in clean:
            continue
        old = [x.id for x in getattr(interaction, attr)]
        new = [x.id for x in clean[attr]]
        if sorted(old) != sorted(new):
            setattr(interaction, attr, clean[attr])
            changes[name] = (sorted(old), sorted(new))
    return changes


def _account(data: dict[str, Any], actor: User, errors: Errors) -> Account | None:
    account_id = data.get("account_id")
    if not is_id(account_id):
        add(errors, "account_id", _l("Choose an account."))
        return None
    return scope.get_account(actor, account_id)  # NotFound outside the scope


def check_interaction(data: dict[str, Any], account_id: int, *, now: datetime) -> dict[str, Any]:
    """The cleaned fields of a new interaction, checked by the same rules as log_interaction,
    without writing (an import's dry run): everything but the people, whose ids the caller has
    looked up set-wise (log_interaction checks them again). Raises ValidationFailed."""
    data = {"summary": None, "occurred_at": None, "kind": None, **data}
    people = {k: data.pop(k, None) for k in ("participant_ids", "contact_ids")}
    clean, errors = _validate(data, account_id, None, now)
    if people["participant_ids"] == []:
        add(errors, "participant_ids", _l("Choose at least one of our people."))
    if errors:
        raise ValidationFailed(fields=errors)
    return clean


def log_interaction(
    data: dict[str, Any], *, actor: User, now: datetime, owner: User | None = None
) -> Interaction:
    """Log a contact with a customer on an account the actor may see; the actor owns it and is
    the participant unless others are given. An import logs history on behalf of the people who
    were there: `owner` (one of the participants) then owns it and its next step. Raises
    NotFound (account), ValidationFailed."""
    errors: Errors = {}
    account = _account(data, actor, errors)
    data = {"summary": None, "occurred_at": None, "kind": None, **data}
    if not data.get("participant_ids"):
        data["participant_ids"] = [actor.id]
    clean, problems = _validate(data, account.id if account else None, None, now)
    for name, messages in problems.items():
        errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationFailed(fields=errors)
    assert account is not None
    if owner is not None and owner not in (clean.get("participants") or []):
        raise ValidationFailed(
            fields={
                "participant_ids": [
                    str(_l("The owner of an interaction must be one of our people in it."))
                ]
            }
        )
    interaction = Interaction(account_id=account.id, owner_id=(owner or actor).id)
    changes = _apply(interaction, clean)
    changes.update(spend_split.apply(interaction, clean))
    db.session.add(interaction)
    db.session.flush()
    touches.apply(touches.pairs(interaction))
    audit.record(interaction, "create", changes, actor=actor, now=now, account_id=account.id)
    return interaction


def _people(items: list[tuple[dict[str, Any], User]], actor: User):
    """The users and contacts a batch names, read once and held while it is checked."""
    user_ids = {actor.id} | {
        i for d, _o in items for i in d.get("participant_ids") or [] if is_id(i)
    }
    contact_ids = {i for d, _o in items for i in d.get("contact_ids") or [] if is_id(i)}
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(user_ids)))}
    contacts = {
        c.id: c for c in db.session.scalars(sa.select(Contact).where(Contact.id.in_(contact_ids)))
    }
    return users, contacts


def _checked_batch(
    items: list[tuple[dict[str, Any], User]],
    actor: User,
    now: datetime,
    refused: dict[int, Errors] | None,
) -> list[tuple[int, dict[str, Any], User]]:
    """Each interaction checked as log_interaction checks it: (index, clean, owner) of those
    that pass; the others raise or go to `refused`."""
    wanted = {d.get("account_id") for d, _o in items if is_id(d.get("account_id"))}
    visible = set(
        db.session.scalars(
            sa.select(Account.id).where(Account.id.in_(wanted), scope.visible_accounts(actor))
        )
    )
    loaded = _people(items, actor)
    passed = []
    for index, (given, owner) in enumerate(items):
        if given.get("account_id") not in visible:
            raise NotFound()  # as log_interaction: an account outside the actor's sight
        data = {"summary": None, "occurred_at": None, "kind": None, **given}
        data["participant_ids"] = data.get("participant_ids") or [actor.id]
        clean, errors = _validate(data, given["account_id"], None, now, loaded)
        if not errors and owner not in clean["participants"]:
            add(
                errors,
                "participant_ids",
                _l("The owner of an interaction must be one of our people in it."),
            )
        if errors and refused is None:
            raise ValidationFailed(fields=errors)
        if errors:
            refused[index] = errors  # type: ignore[index]
        else:
            passed.append((index, {**clean, "account_id": given["account_id"]}, owner))
    return passed


def log_interactions(
    items: list[tuple[dict[str, Any], User]],
    *,
    actor: User,
    now: datetime,
    refused: dict[int, Errors] | None = None,
) -> list[int | None]:
    """Log many interactions at once (an import of contact history), each with its owner: every
    rule of log_interaction — an account the actor sees, each field's checks, our active users
    as participants with the owner among them, current contacts of that account as attendees —
    then one insert per table, the tie counts in one update and one audit insert, each audited
    as log_interaction audits it. Returns the new ids in order. Raises NotFound (an account),
    ValidationFailed (the first refused one); given `refused`, a refused interaction is left out
    instead (its id None, its problems under its index)."""
    passed = _checked_batch(items, actor, now, refused)
    ids: list[int | None] = [None] * len(items)
    if not passed:
        return ids
    rows, participants, attendees, audits = [], [], [], []
    counts: Counter[touches.Key] = Counter()
    for (index, clean, owner), new_id in zip(
        passed, new_ids(db.session, Interaction.__table__, len(passed)), strict=True
    ):
        ids[index] = new_id
        people = [u.id for u in clean["participants"]], [c.id for c in clean["attendees"] or []]
        rows.append(
            {
                **dict.fromkeys(COLUMNS),
                **{c: clean[c] for c in COLUMNS if c in clean},
                "id": new_id,
                "account_id": clean["account_id"],
                "owner_id": owner.id,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
        participants += [{"interaction_id": new_id, "user_id": u} for u in people[0]]
        attendees += [{"interaction_id": new_id, "contact_id": c} for c in people[1]]
        counts.update(touches.pairs_of(clean["account_id"], clean["occurred_at"], *people))
        changes = {c: (None, clean[c]) for c in COLUMNS if clean.get(c) is not None}
        changes.update(
            {
                name: ([], sorted(i))
                for name, i in zip(("participant_ids", "contact_ids"), people, strict=True)
                if i
            }
        )
        audits.append(
            audit.entry_values(
                "interactions",
                new_id,
                "create",
                changes,
                actor=actor,
                now=now,
                account_id=clean["account_id"],
            )
        )
    insert_many(db.session, Interaction.__table__, rows)
    insert_many(db.session, interaction_participants, participants)
    insert_many(db.session, interaction_attendees, attendees)
    keys = sorted(counts)
    for start in range(0, len(keys), touches.BATCH):  # one upsert per few thousand counts
        touches.apply(Counter({k: counts[k] for k in keys[start : start + touches.BATCH]}))
    audit.insert_entries(audits)
    return ids


def update_interaction(
    interaction: Interaction, data: dict[str, Any], *, actor: User, now: datetime
) -> Interaction:
    """Change an interaction (its owner, participants, or a director/admin); a changed next step
    is open again. Raises Forbidden, ValidationFailed (also without the `version` read), Conflict
    (a stale `version`)."""
    if not scope.can_edit_interaction(actor, interaction):
        raise Forbidden()
    require_version(interaction, data)
    clean, errors = _validate(data, interaction.account_id, interaction, now)
    if data.get("account_id", interaction.account_id) != interaction.account_id:
        add(errors, "account_id", _l("An interaction cannot move to another account."))
    if errors:
        raise ValidationFailed(fields=errors)
    before = touches.pairs(interaction)
    changes = _apply(interaction, clean)
    changes.update(spend_split.apply(interaction, clean))
    touches.apply(touches.difference(before, touches.pairs(interaction)))
    if {"next_step", "next_step_due"} & changes.keys() and interaction.next_step_done_at:
        changes["next_step_done_at"] = (interaction.next_step_done_at, None)
        interaction.next_step_done_at = None
    db.session.flush()
    audit.record(
        interaction, "update", changes, actor=actor, now=now, account_id=interaction.account_id
    )
    return interaction


def complete_next_step(
    interaction: Interaction, data: dict[str, Any], *, actor: User, now: datetime
) -> Interaction:
    """Mark the next step done (whoever may edit the interaction, naming the `version` read).
    Raises Forbidden, ValidationFailed (no next step, no version), Conflict (a stale version);
    done twice (a double tap) keeps the first time and changes nothing."""
    if not scope.can_edit_interaction(actor, interaction):
        raise Forbidden()
    if not interaction.next_step:
        raise ValidationFailed(fields={"next_step": [str(_l("There is no next step."))]})
    if interaction.next_step_done_at is None or not is_id(data.get("version")):
        require_version(interaction, data)
        changes = audit.apply_changes(
            interaction, {"next_step_done_at": now}, ("next_step_done_at",)
        )
        db.session.flush()
        audit.record(
            interaction, "update", changes, actor=actor, now=now, account_id=interaction.account_id
        )
    return interaction


def reschedule_next_step(
    interaction: Interaction, data: dict[str, Any], *, actor: User, now: datetime
) -> Interaction:
    """Move an open next step to another day (`due`: today or later, the company's day), as
    whoever may edit the interaction, naming the `version` read. Raises Forbidden, Conflict (a
    stale version), ValidationFailed (no version; no open next step; no day, or a past one)."""
    if not scope.can_edit_interaction(actor, interaction):
        raise Forbidden()
    require_version(interaction, data)
    errors: Errors = {}
    if not interaction.next_step:
        add(errors, "next_step", _l("There is no next step."))
    elif interaction.next_step_done_at is not None:
        add(errors, "next_step", _l("This next step is already done."))
    due = day(data.get("due"), "due", errors, required=_l("Choose a day."))
    if due is not None and due < clock.today(now):
        add(errors, "due", _l("Choose today or a later day."))
    if errors:
        raise ValidationFailed(fields=errors)
    changes = audit.apply_changes(interaction, {"next_step_due": due}, ("next_step_due",))
    if changes:
        db.session.flush()
        audit.record(
            interaction, "update", changes, actor=actor, now=now, account_id=interaction.account_id
        )
    return interaction


def _set_deleted(interaction: Interaction, value: datetime | None, *, actor: User, now: datetime):
    if not scope.can_delete(actor, interaction.account):
        raise Forbidden()
    if (interaction.deleted_at is None) != (value is None):
        before = touches.pairs(interaction)
        changes = audit.apply_changes(interaction, {"deleted_at": value}, ("deleted_at",))
        touches.apply(touches.difference(before, touches.pairs(interaction)))
        db.session.flush()
        action = "delete" if value is not None else "restore"
        audit.record(
            interaction, action, changes, actor=actor, now=now, account_id=interaction.account_id
        )
    return interaction


def delete_interaction(interaction: Interaction, *, actor: User, now: datetime) -> Interaction:
    """Soft-delete (directors in their team, admins; reps never). Raises Forbidden."""
    return _set_deleted(interaction, now, actor=actor, now=now)


def restore_interaction(interaction: Interaction, *, actor: User, now: datetime) -> Interaction:
    """Undo a soft delete (directors in their team, admins). Raises Forbidden."""
    return _set_deleted(interaction, None, actor=actor, now=now)
