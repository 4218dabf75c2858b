"""Expectations and satisfaction (issue 17): the register of what a customer expects of us, closed
as met only with the action done that met it (a next step done, or an internal request done), and
the perception records whose perceived − expected is the customer's satisfaction.

Writes are services (`verb_noun(..., *, actor, now)`, audited, flushed, never committed); reads
are set-wise: `open_for_account` (the visit briefing's) and `registers` for many accounts."""

from collections import defaultdict
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from salesflow import scope
from salesflow.accounts.models import Account
from salesflow.audit import services as audit
from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.errors import Forbidden, ValidationFailed
from salesflow.extensions import db
from salesflow.interactions.models import Interaction
from salesflow.key_accounts.expectations_models import (
    AccountExpectation,
    ExpectationCategory,
    ExpectationStatus,
    OwnerRole,
    PerceptionRecord,
    PerceptionSource,
)
from salesflow.requests.models import InternalRequest
from salesflow.requests.models import Status as RequestStatus
from salesflow.validation import Errors, add, day, is_id, moment, require_version, text

CLOSINGS = (ExpectationStatus.met, ExpectationStatus.missed, ExpectationStatus.withdrawn)
SCORES = range(1, 6)


def _choice(value: Any, kind: type[StrEnum], name: str, errors: Errors, message: Any) -> Any:
    if isinstance(value, str) and value in kind.__members__.values():
        return kind(value)
    add(errors, name, message)
    return None


def _check_can_write(account: Account, actor: User) -> None:
    # whoever keeps the account up to date keeps its register (scope.can_edit_account)
    if not scope.can_edit_account(actor, account):
        raise Forbidden()


def add_expectation(
    account: Account, data: dict[str, Any], *, actor: User, now: datetime
) -> AccountExpectation:
    """Register what the customer expects (statement, category, owner role, due date), open.
    Raises Forbidden, ValidationFailed (every problem)."""
    _check_can_write(account, actor)
    errors: Errors = {}
    statement = text(
        data.get("statement"),
        "statement",
        errors,
        column=AccountExpectation.statement,
        multiline=True,
        required=_l("Say what the customer expects."),
    )
    category = _choice(
        data.get("category"), ExpectationCategory, "category", errors, _l("Choose a category.")
    )
    owner_role = _choice(
        data.get("owner_role"), OwnerRole, "owner_role", errors, _l("Choose AR, SR or FR.")
    )
    due = day(data.get("due"), "due", errors)
    if errors:
        raise ValidationFailed(fields=errors)
    expectation = AccountExpectation(
        account_id=account.id,
        statement=statement,
        category=category,
        owner_role=owner_role,
        due=due,
        status=ExpectationStatus.open,
        created_at=now,
    )
    db.session.add(expectation)
    db.session.flush()
    fields = {"statement": (None, statement), "category": (None, category)}
    fields |= {"owner_role": (None, owner_role), "due": (None, due)}
    audit.record(expectation, "create", fields, actor=actor, now=now, account_id=account.id)
    return expectation


def _done_step(raw: Any, account: Account, errors: Errors) -> int | None:
    """The interaction whose next step, done, met the expectation (on this account)."""
    found = is_id(raw) and db.session.scalar(
        sa.select(Interaction.id).where(
            Interaction.id == raw,
            Interaction.account_id == account.id,
            Interaction.deleted_at.is_(None),
            Interaction.next_step.is_not(None),
            Interaction.next_step_done_at.is_not(None),
        )
    )
    if not found:
        add(errors, "interaction_id", _l("Choose a next step of this account that is done."))
        return None
    return int(raw)


def _done_request(raw: Any, account: Account, actor: User, errors: Errors) -> int | None:
    """The internal request, done, that met the expectation (on this account, seen by the actor)."""
    found = is_id(raw) and db.session.scalar(
        sa.select(InternalRequest.id).where(
            InternalRequest.id == raw,
            InternalRequest.account_id == account.id,
            InternalRequest.status == RequestStatus.done,
            scope.visible_requests(actor),
        )
    )
    if not found:
        add(errors, "request_id", _l("Choose a request of this account that is done."))
        return None
    return int(raw)


def _action(data: dict[str, Any], account: Account, actor: User, errors: Errors) -> dict[str, Any]:
    """A gap closes as met only with one linked action done (issue 17)."""
    step, request = data.get("interaction_id"), data.get("request_id")
    if step is None and request is None:
        add(errors, "action", _l("Link the done next step or done request that met it."))
        return {}
    if step is not None and request is not None:
        add(errors, "action", _l("Link one action, not two."))
        return {}
    if step is not None:
        return {"interaction_id": _done_step(step, account, errors)}
    return {"request_id": _done_request(request, account, actor, errors)}


def close_expectation(
    expectation: AccountExpectation,
    account: Account,
    data: dict[str, Any],
    *,
    actor: User,
    now: datetime,
) -> AccountExpectation:
    """Close an open expectation as met (with the done next step or done request that met it),
    missed or withdrawn. Raises Forbidden, ValidationFailed (every problem), Conflict (stale)."""
    _check_can_write(account, actor)
    require_version(expectation, data)
    errors: Errors = {}
    if expectation.status != ExpectationStatus.open:
        add(errors, "status", _l("This expectation is already closed."))
    status = data.get("status")
    if status not in CLOSINGS:
        add(errors, "status", _l("Choose met, missed or withdrawn."))
    action = _action(data, account, actor, errors) if status == ExpectationStatus.met else {}
    if errors:
        raise ValidationFailed(fields=errors)
    clean = {"status": ExpectationStatus(status), "closed_at": now, **action}
    fields = ("status", "closed_at", "interaction_id", "request_id")
    changes = audit.apply_changes(expectation, clean, fields)
    db.session.flush()
    audit.record(expectation, "update", changes, actor=actor, now=now, account_id=account.id)
    return expectation


def _score(value: Any, name: str, errors: Errors) -> int | None:
    if isinstance(value, str) and value.strip() in {str(n) for n in SCORES}:
        value = int(value.strip())
    if type(value) is int and value in SCORES:
        return value
    add(errors, name, _l("Give a score from 1 to 5."))
    return None


def _own_contact(raw: Any, account: Account, errors: Errors) -> int | None:
    if raw is None:
        return None
    found = is_id(raw) and db.session.scalar(
        sa.select(Contact.id).where(
            Contact.id == raw, Contact.account_id == account.id, Contact.deleted_at.is_(None)
        )
    )
    if not found:
        add(errors, "contact_id", _l("Choose one of this account's contacts."))
        return None
    return int(raw)


def _own_interaction(raw: Any, account: Account, errors: Errors) -> int | None:
    if raw is None:
        return None
    found = is_id(raw) and db.session.scalar(
        sa.select(Interaction.id).where(
            Interaction.id == raw,
            Interaction.account_id == account.id,
            Interaction.deleted_at.is_(None),
        )
    )
    if not found:
        add(errors, "interaction_id", _l("Choose a contact logged on this account."))
        return None
    return int(raw)


def record_perception(
    account: Account, data: dict[str, Any], *, actor: User, now: datetime
) -> PerceptionRecord:
    """Record the customer's perceived (1–5) against expected (1–5) score, from a survey, a
    meeting or a complaint, at a moment not in the future (default now), perhaps of one of its
    contacts and from a logged contact. Raises Forbidden, ValidationFailed (every problem)."""
    _check_can_write(account, actor)
    errors: Errors = {}
    perceived = _score(data.get("perceived"), "perceived", errors)
    expected = _score(data.get("expected"), "expected", errors)
    source = _choice(
        data.get("source"),
        PerceptionSource,
        "source",
        errors,
        _l("Choose survey, meeting or complaint."),
    )
    at = moment(data.get("at"), "at", errors) or now
    if at > now:
        add(errors, "at", _l("A perception cannot be recorded in the future."))
    contact_id = _own_contact(data.get("contact_id"), account, errors)
    interaction_id = _own_interaction(data.get("interaction_id"), account, errors)
    if errors:
        raise ValidationFailed(fields=errors)
    record = PerceptionRecord(
        account_id=account.id,
        contact_id=contact_id,
        perceived=perceived,
        expected=expected,
        source=source,
        at=at,
        interaction_id=interaction_id,
        actor_id=actor.id,
    )
    db.session.add(record)
    db.session.flush()
    fields = {"perceived": (None, perceived), "expected": (None, expected)}
    fields |= {"source": (None, source), "contact_id": (None, contact_id)}
    audit.record(record, "create", fields, actor=actor, now=now, account_id=account.id)
    return record


# Reads --------------------------------------------------------------------------------------------


def _by_due() -> tuple[Any, ...]:
    # due dates first, soonest first; undated ones after them, oldest first
    return (AccountExpectation.due.is_(None), AccountExpectation.due, AccountExpectation.id)


def open_for_account(account_id: int) -> list[AccountExpectation]:
    """The account's open expectations, soonest due first (the visit briefing's list); the
    caller has checked the account is in the reader's scope."""
    return list(
        db.session.scalars(
            sa.select(AccountExpectation)
            .where(
                AccountExpectation.account_id == account_id,
                AccountExpectation.status == ExpectationStatus.open,
            )
            .order_by(*_by_due())
        )
    )


def expectations_of(account_ids: Any) -> dict[int, list[AccountExpectation]]:
    """Every expectation of the accounts (ids or a select of ids), open first then by due."""
    rows = db.session.scalars(
        sa.select(AccountExpectation)
        .where(AccountExpectation.account_id.in_(account_ids))
        .order_by(AccountExpectation.status != ExpectationStatus.open, *_by_due())
    )
    found: dict[int, list[AccountExpectation]] = defaultdict(list)
    for row in rows:
        found[row.account_id].append(row)
    return found


def is_overdue(expectation: AccountExpectation, today: date) -> bool:
    """An open expectation past its due date."""
    return (
        expectation.status == ExpectationStatus.open
        and expectation.due is not None
        and expectation.due < today
    )


PERCEPTIONS_LISTED = 200


def perceptions_of(account_id: int) -> list[PerceptionRecord]:
    """The account's latest perception records, newest first (the API's list)."""
    return list(
        db.session.scalars(
            sa.select(PerceptionRecord)
            .where(PerceptionRecord.account_id == account_id)
            .order_by(PerceptionRecord.at.desc(), PerceptionRecord.id.desc())
            .limit(PERCEPTIONS_LISTED)
        )
    )
