"""Contacts and the decision chain: every write and rule (PRODUCT.md, capability 1).

Nothing is lost: reps never hard-delete; directors and admins soft-delete and restore; a contact
who leaves the customer keeps their history (`left_on`) and leaves the decision chain.
"""

import re
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from salesflow import clock, scope
from salesflow.accounts.models import Account
from salesflow.audit import services as audit
from salesflow.auth.models import User
from salesflow.contacts.models import (
    PROFILE_FIELDS,
    Attitude,
    Contact,
    DecisionRole,
    Influence,
    Level,
    key_role,
)
from salesflow.db import insert_many, new_ids
from salesflow.errors import Conflict, Forbidden, ValidationFailed
from salesflow.extensions import db
from salesflow.ties import touches
from salesflow.validation import Errors, add, day, is_id, require_version, text

# Text fields; lengths come from the columns. Multi-line ones keep their line breaks.
TEXT_FIELDS = (
    "name",
    "title",
    "department",
    "email",
    "phone",
    "background",
    "education",
    "hometown",
    "interests",
    "preferences",
    "notes",
)
MULTILINE = {"background", "interests", "preferences", "notes"}
# Enum fields, and whether they may be empty.
ENUMS: dict[str, tuple[type[StrEnum], bool]] = {
    "level": (Level, True),
    "decision_role": (DecisionRole, False),
    "influence": (Influence, False),
    "attitude": (Attitude, False),
}
NEW_CONTACT_DEFAULTS = {
    "decision_role": DecisionRole.unknown,
    "influence": Influence.medium,
    "attitude": Attitude.unknown,
}
# A flag: attendees who are government officials have their shares of a contact's cost above
# a spend cap flagged in stricter words (issue 17, key_accounts.spend_caps).
FLAGS = ("government_official",)
CONTACT_FIELDS = (*TEXT_FIELDS, *ENUMS, *FLAGS, "reports_to_id", "left_on")
# What the account's relationship figures read of a contact (PRODUCT.md, Dependency analytics:
# importance, key contact, current): a change of one is followed (ties.touches.changed).
FIGURE_FIELDS = frozenset({"decision_role", "influence", "left_on"})
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _enum(value: Any, enum_cls: type[StrEnum], nullable: bool) -> tuple[Any, str | None]:
    if value is None or value == "":
        return None, None if nullable else str(_l("Choose a value."))
    try:
        return enum_cls(value), None
    except ValueError:
        return None, str(_l("Not one of the allowed values."))


def _flag(value: Any, name: str, errors: Errors) -> bool:
    """Yes or no; null (the API) is no."""
    if value is None:
        return False
    if not isinstance(value, bool):
        add(errors, name, _l("Choose yes or no."))
        return False
    return value


def _clean_fields(data: dict[str, Any], now: datetime, errors: Errors) -> dict[str, Any]:
    """Shape and vocabulary of each field given; every problem is added to `errors`."""
    clean: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if name in data:
            clean[name] = text(
                data[name], name, errors, column=getattr(Contact, name), multiline=name in MULTILINE
            )
    for name, (enum_cls, nullable) in ENUMS.items():
        if name in data:
            clean[name], problem = _enum(data[name], enum_cls, nullable)
            if problem:
                errors.setdefault(name, []).append(problem)
    clean.update({n: _flag(data[n], n, errors) for n in FLAGS if n in data})
    if "name" in clean and not clean["name"] and "name" not in errors:
        errors["name"] = [str(_l("Enter a name."))]
    if clean.get("email") and not EMAIL.match(clean["email"]):
        errors.setdefault("email", []).append(str(_l("Enter an e-mail address like a@b.com.")))
    if "left_on" in data:
        left_on = day(data["left_on"], "left_on", errors)
        # the company's today: a rep in Shanghai at 07:00 may say someone left today
        if left_on is not None and left_on > clock.today(now):
            add(errors, "left_on", _l("The date cannot be in the future."))
        clean["left_on"] = left_on
    return clean


def _creates_cycle(contact_id: int, boss_id: int) -> bool:
    """Whether `contact_id` is already above `boss_id` in the chain: one recursive query (UNION
    drops repeated rows, so even a damaged chain cannot loop forever)."""
    up = (
        sa.select(Contact.id, Contact.reports_to_id)
        .where(Contact.id == boss_id)
        .cte("up", recursive=True)
    )
    up = up.union(
        sa.select(Contact.id, Contact.reports_to_id).join(up, Contact.id == up.c.reports_to_id)
    )
    return db.session.scalar(sa.select(sa.func.count()).where(up.c.id == contact_id)) > 0


def _reports_to_problem(value: Any, account_id: int, contact: Contact | None) -> str | None:
    """reports_to must be a current contact of the same account, not the contact itself, and
    must not close a loop. An unchanged pointer is kept as history even if that person left."""
    if value is None or (contact is not None and value == contact.reports_to_id):
        return None
    if not is_id(value):
        return str(_l("Choose a contact."))
    boss = db.session.get(Contact, value)
    if boss is None or boss.account_id != account_id or not boss.is_current:
        return str(_l("Choose a current contact of the same account."))
    if contact is not None and boss.id == contact.id:
        return str(_l("A contact cannot report to themselves."))
    if contact is not None and contact.id is not None and _creates_cycle(contact.id, boss.id):
        return str(_l("This would make a loop in the reporting line."))
    return None


def _validate(data: dict[str, Any], account_id: int, contact: Contact | None, now: datetime):
    """The cleaned data, or ValidationFailed with every problem at once."""
    errors: Errors = {}
    if contact is None and not data.get("name"):
        errors["name"] = [str(_l("Enter a name."))]
    if contact is not None and data.get("account_id", contact.account_id) != contact.account_id:
        errors["account_id"] = [str(_l("A contact cannot move to another account."))]
    clean = _clean_fields(data, now, errors)
    if "reports_to_id" in data:
        if problem := _reports_to_problem(data["reports_to_id"], account_id, contact):
            errors["reports_to_id"] = [problem]
        clean["reports_to_id"] = data["reports_to_id"]
    if errors:
        raise ValidationFailed(fields=errors)
    return clean


def check_contact(
    data: dict[str, Any], account_id: int, contact: Contact | None, *, now: datetime
) -> dict[str, Any]:
    """The cleaned fields of a new contact (`contact` None) or of a change, checked by the same
    rules as create_contact and update_contact, without writing (an import's dry run). Raises
    ValidationFailed with every problem."""
    return _validate(data, account_id, contact, now)


def create_contacts(
    items: list[tuple[Account, dict[str, Any]]],
    *,
    actor: User,
    now: datetime,
    refused: dict[int, Errors] | None = None,
) -> list[int | None]:
    """Add many contacts at once (an import): every rule of create_contact — the actor may keep
    each account up to date, each contact's fields pass the same checks, `reports_to_id` names a
    current contact of the same account — then one insert and one audit insert for them all,
    each contact audited as create_contact audits it. Returns the new ids in order. Raises
    Forbidden, ValidationFailed (the problems of the first refused contact); given `refused`, a
    contact whose fields are refused is left out instead (its id None, its problems under its
    index), so the others go in without being checked twice."""
    bosses = {d.get("reports_to_id") for _a, d in items if is_id(d.get("reports_to_id"))}
    # One query, the bosses held while they are checked (the identity map keeps only what is
    # referenced): no contact is loaded one by one.
    loaded = db.session.scalars(sa.select(Contact).where(Contact.id.in_(bosses))).all()
    rows, audits, kept = [], [], []
    for index, (account, data) in enumerate(items):
        if not scope.can_edit_account(actor, account):
            raise Forbidden()
        try:
            clean = {**NEW_CONTACT_DEFAULTS, **_validate(data, account.id, None, now)}
        except ValidationFailed as error:
            if refused is None:
                raise
            refused[index] = error.fields
            continue
        rows.append(
            {
                **dict.fromkeys(CONTACT_FIELDS),
                **dict.fromkeys(FLAGS, False),
                **clean,
                "account_id": account.id,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
        audits.append((account.id, {f: (None, v) for f, v in clean.items() if v is not None}))
        kept.append(index)
    del loaded
    ids: list[int | None] = [None] * len(items)
    if not rows:
        return ids
    for row, index, contact_id in zip(
        rows, kept, new_ids(db.session, Contact.__table__, len(rows)), strict=True
    ):
        row["id"] = ids[index] = contact_id
    insert_many(db.session, Contact.__table__, rows)
    # a new contact has no ties yet: only a key one moves the figures (one more to cover)
    keys = {r["account_id"] for r in rows if key_role(r["decision_role"], r["influence"])}
    touches.changed(keys, now=now)
    audit.insert_entries(
        [
            audit.entry_values(
                "contacts",
                row["id"],
                "create",
                changes,
                actor=actor,
                now=now,
                account_id=account_id,
            )
            for row, (account_id, changes) in zip(rows, audits, strict=True)
        ]
    )
    return ids


def delete_contacts(contacts: list[Contact], *, actor: User, now: datetime) -> None:
    """Soft-delete many contacts at once (undoing an import): the rule of delete_contact for
    each — a director of the account's team or an admin — then one update and one audit insert.
    A contact changed meanwhile (its version moved on) stops them all with a Conflict: the
    caller goes one by one. Raises Forbidden, Conflict."""
    todo = [c for c in contacts if c.deleted_at is None]
    accounts = {
        a.id: a
        for a in db.session.scalars(
            sa.select(Account).where(Account.id.in_({c.account_id for c in todo}))
        )
    }
    if not all(scope.can_delete(actor, accounts[c.account_id]) for c in todo):
        raise Forbidden()
    if not todo:
        return
    table = Contact.__table__
    done = db.session.execute(
        table.update()
        .where(
            table.c.id == sa.bindparam("contact_id"),
            table.c.version == sa.bindparam("read"),
            table.c.deleted_at.is_(None),
        )
        .values(deleted_at=now, updated_at=now, version=table.c.version + 1),
        [{"contact_id": c.id, "read": c.version} for c in todo],
    ).rowcount
    if done != len(todo):
        raise Conflict()
    touches.changed({c.account_id for c in todo}, now=now)
    audit.insert_entries(
        [
            audit.entry_values(
                "contacts",
                c.id,
                "delete",
                {"deleted_at": (None, now)},
                actor=actor,
                now=now,
                account_id=c.account_id,
            )
            for c in todo
        ]
    )
    for contact in todo:
        db.session.expire(contact)


def flatten_profile(data: dict[str, Any]) -> dict[str, Any]:
    """API shape → service shape: the `profile` object's fields become top-level fields."""
    flat = {k: v for k, v in data.items() if k != "profile"}
    flat.update({k: v for k, v in (data.get("profile") or {}).items() if k in PROFILE_FIELDS})
    return flat


def create_contact(
    account: Account, data: dict[str, Any], *, actor: User, now: datetime
) -> Contact:
    """Add a contact to an account the actor may keep up to date.

    Raises Forbidden, ValidationFailed (every field problem at once).
    """
    if not scope.can_edit_account(actor, account):
        raise Forbidden()
    clean = {**NEW_CONTACT_DEFAULTS, **_validate(data, account.id, None, now)}
    contact = Contact(account_id=account.id)
    changes = audit.apply_changes(contact, clean, CONTACT_FIELDS)
    db.session.add(contact)
    db.session.flush()
    if key_role(contact.decision_role, contact.influence):  # no ties yet: only a key one counts
        touches.changed({account.id}, now=now)
    audit.record(contact, "create", changes, actor=actor, now=now, account_id=account.id)
    return contact


def update_contact(
    contact: Contact, data: dict[str, Any], *, actor: User, now: datetime
) -> Contact:
    """Change a contact; setting `left_on` marks them as left, clearing it brings them back.

    Raises Forbidden, ValidationFailed (also without the `version` read), Conflict (a stale
    `version`).
    """
    if not scope.can_edit_contact(actor, contact):
        raise Forbidden()
    require_version(contact, data)
    clean = _validate(data, contact.account_id, contact, now)
    changes = audit.apply_changes(contact, clean, CONTACT_FIELDS)
    db.session.flush()
    if FIGURE_FIELDS & set(changes):
        touches.changed({contact.account_id}, now=now)
    audit.record(contact, "update", changes, actor=actor, now=now, account_id=contact.account_id)
    return contact


def delete_contact(contact: Contact, *, actor: User, now: datetime) -> Contact:
    """Soft-delete a contact (directors in their team, admins); their reports become roots of
    the org chart but keep reports_to. Raises Forbidden."""
    if not scope.can_delete(actor, contact.account):
        raise Forbidden()
    if contact.deleted_at is None:
        changes = audit.apply_changes(contact, {"deleted_at": now}, ("deleted_at",))
        db.session.flush()
        touches.changed({contact.account_id}, now=now)
        audit.record(
            contact, "delete", changes, actor=actor, now=now, account_id=contact.account_id
        )
    return contact


def restore_contact(contact: Contact, *, actor: User, now: datetime) -> Contact:
    """Undo a soft delete (directors in their team, admins). Raises Forbidden."""
    if not scope.can_delete(actor, contact.account):
        raise Forbidden()
    if contact.deleted_at is not None:
        changes = audit.apply_changes(contact, {"deleted_at": None}, ("deleted_at",))
        db.session.flush()
        touches.changed({contact.account_id}, now=now)
        audit.record(
            contact, "restore", changes, actor=actor, now=now, account_id=contact.account_id
        )
    return contact
