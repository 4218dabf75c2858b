import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.audit.models import AuditEntry
from salesflow.extensions import db


def _with_merged(entity_type: str, entity_id: int) -> list[int]:
    """The record and those merged into it: a survivor's history is theirs too (the entries
    keep their own record)."""
    from salesflow.merges.models import MergeKind
    from salesflow.merges.queries import absorbed_ids

    if entity_type not in {k.value for k in MergeKind}:
        return [entity_id]
    return [entity_id, *absorbed_ids(MergeKind(entity_type), entity_id)]


def history(entity_type: str, entity_id: int, *, limit: int = 50) -> list[AuditEntry]:
    """The newest changes of one record (and of the records merged into it), with their actors
    loaded in the same query."""
    ids = _with_merged(entity_type, entity_id)
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id.in_(ids))
            .options(so.joinedload(AuditEntry.actor))
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )


def account_history(account_id: int, *, limit: int = 50) -> list[AuditEntry]:
    """Changes to an account and to everything that belongs to it (its team, contacts, contact
    history and opportunities), and to the accounts merged into it."""
    ids = _with_merged("accounts", account_id)
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.account_id.in_(ids))
            .options(so.joinedload(AuditEntry.actor))
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )
