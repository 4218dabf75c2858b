"""The audit trail: every create, update, delete and restore, with the fields it changed."""

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from salesflow.audit.models import AuditEntry
from salesflow.db import insert_many
from salesflow.extensions import db

Changes = dict[str, tuple[Any, Any]]
# The cause of the changes being recorded now (an import), set around a whole unit of work so the
# domain services it calls record it without knowing about it.
_cause: ContextVar[dict[str, Any] | None] = ContextVar("audit_cause", default=None)


@contextmanager
def caused_by(cause: dict[str, Any] | None) -> Iterator[None]:
    """Every audit entry recorded inside the block carries `cause` (e.g. {"import": 12,
    "file": "contacts.csv"}), unless the entry names its own."""
    token = _cause.set(cause)
    try:
        yield
    finally:
        _cause.reset(token)


def current_cause() -> dict[str, Any] | None:
    return _cause.get()


def _plain(value: Any) -> Any:
    """A JSON-safe form of a column value, for the audit record."""
    if value is None or type(value) in (str, int, bool, float):  # most values: nothing to do
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def apply_changes(obj: Any, data: Mapping[str, Any], fields: Iterable[str]) -> Changes:
    """Set each listed field present in `data` on `obj`; return {field: (old, new)} changed."""
    changes: Changes = {}
    for field in fields:
        if field not in data:
            continue
        old, new = getattr(obj, field), data[field]
        if old != new:
            setattr(obj, field, new)
            changes[field] = (old, new)
    return changes


def record(
    entity: Any,
    action: str,
    changes: Changes | None = None,
    *,
    actor: Any,
    now: datetime,
    account_id: int | None = None,
    cause: dict[str, Any] | None = None,
) -> AuditEntry | None:
    """Add an audit entry for `entity`; an update that changed nothing records nothing. Its
    `cause` defaults to the one set by `caused_by`."""
    if action == "update" and not changes:
        return None
    if entity.id is None:
        db.session.flush()
    entry = AuditEntry(
        at=now,
        actor_id=actor.id if actor is not None else None,
        entity_type=entity.__tablename__,
        entity_id=entity.id,
        account_id=account_id,
        action=action,
        changes={k: [_plain(old), _plain(new)] for k, (old, new) in (changes or {}).items()},
        cause=cause if cause is not None else _cause.get(),
    )
    db.session.add(entry)
    return entry


def entry_values(
    entity_type: str,
    entity_id: int,
    action: str,
    changes: Changes,
    *,
    actor: Any,
    now: datetime,
    account_id: int | None,
) -> dict[str, Any]:
    """One audit entry as the values of a set-wise insert (a service writing many records at
    once records each the way `record` would, in one statement: `insert_entries`)."""
    return {
        "at": now,
        "actor_id": actor.id if actor is not None else None,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "account_id": account_id,
        "action": action,
        "cause": _cause.get(),
        "changes": {k: [_plain(old), _plain(new)] for k, (old, new) in changes.items()},
    }


def insert_entries(entries: list[dict[str, Any]]) -> None:
    """Add the entries made by `entry_values`, in one statement."""
    insert_many(db.session, AuditEntry.__table__, entries)
