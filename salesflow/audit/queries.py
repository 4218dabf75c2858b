import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.audit.models import AuditEntry
from salesflow.extensions import db


def history(entity_type: str, entity_id: int, *, limit: int = 50) -> list[AuditEntry]:
    """The newest changes of one record, with their actors loaded in the same query."""
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
            .options(so.joinedload(AuditEntry.actor))
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )


def account_history(account_id: int, *, limit: int = 50) -> list[AuditEntry]:
    """Changes to an account and to everything that belongs to it (team, contacts, contacts)."""
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.account_id == account_id)
            .options(so.joinedload(AuditEntry.actor))
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )
