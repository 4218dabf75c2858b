"""The audit trail: every create, update, delete and restore, with the fields it changed."""

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from salesflow.audit.models import AuditEntry
from salesflow.extensions import db

Changes = dict[str, tuple[Any, Any]]


def _plain(value: Any) -> Any:
    """A JSON-safe form of a column value, for the audit record."""
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
) -> AuditEntry | None:
    """Add an audit entry for `entity`; an update that changed nothing records nothing."""
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
    )
    db.session.add(entry)
    return entry
