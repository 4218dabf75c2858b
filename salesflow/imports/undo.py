"""Undo an import within 30 days: the records it created are soft-deleted, the records it changed
get their before-image back — each through its domain's services (permissions, audit), each in
its own savepoint. A record someone changed since the import (its version moved on) is kept as
it is now and reported, never overwritten. Imports that continued this one (fixed error files)
are undone with it."""

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from salesflow.accounts import services as accounts
from salesflow.accounts.models import Account
from salesflow.audit import services as audit
from salesflow.auth.models import User
from salesflow.contacts import services as contacts
from salesflow.contacts.models import Contact
from salesflow.extensions import db
from salesflow.imports.models import Import, ImportKey, ImportRow, ImportStatus, Outcome
from salesflow.imports.resolving.common import REFUSALS
from salesflow.interactions import services as interactions
from salesflow.interactions.models import Interaction
from salesflow.opportunities import services as opportunities
from salesflow.opportunities.models import Opportunity
from salesflow.ties import touches

CHUNK = 500
MODELS: dict[str, Any] = {
    "accounts": Account,
    "contacts": Contact,
    "interactions": Interaction,
    "opportunities": Opportunity,
}
DELETE: dict[str, Callable[..., Any]] = {
    "accounts": accounts.delete_account,
    "contacts": contacts.delete_contact,
    "interactions": interactions.delete_interaction,
    "opportunities": opportunities.delete_opportunity,
}
DATES = {"left_on", "expected_close", "next_step_due"}


def _restore(kind: str, record: Any, before: dict[str, Any], *, actor: User, now: datetime):
    """Put the fields back as they were (dates come back from their ISO text)."""
    data = {k: date.fromisoformat(v) if k in DATES and v else v for k, v in before.items()}
    roles = data.pop("roles", None)
    if data:
        data["version"] = record.version
        update = {
            "accounts": accounts.update_account,
            "contacts": contacts.update_contact,
            "opportunities": opportunities.update_opportunity,
        }[kind]
        update(record, data, actor=actor, now=now)
    if roles is not None:
        seats = [{"user_id": user_id, "role": role} for user_id, role in roles]
        opportunities.set_roles(record, seats, actor=actor, now=now)


def _reverse(kind: str, row: ImportRow, record: Any, *, actor: User, now: datetime) -> str:
    if record is None or (row.outcome == Outcome.create and record.deleted_at is not None):
        return "reversed"  # gone already
    if record.version != row.after_version:
        return "kept"  # someone changed it since: theirs stands
    if row.outcome == Outcome.create:
        DELETE[kind](record, actor=actor, now=now)
    elif row.before:
        _restore(kind, record, row.before, actor=actor, now=now)
    return "reversed"


def _linked(row: ImportRow, *, actor: User, now: datetime) -> None:
    """Records made along with the row (a "known by" contact): deleted unless changed since."""
    for table, record_id in row.linked or []:
        record = db.session.get(MODELS[table], record_id)
        if record is not None and record.deleted_at is None and record.version == 1:
            DELETE[table](record, actor=actor, now=now)


def undo_import(
    imp: Import, *, actor: User, now: datetime, checkpoint: Callable[[float], None] | None = None
) -> dict[str, int]:
    """Undo `imp` (and the imports continuing it); the entry point has asked
    services.check_undo. Rows an interrupted undo already did are not done twice. Returns
    {reversed, kept, failed}."""
    counts: Counter[str] = Counter(
        {"reversed": 0, "kept": 0, "failed": 0, **(imp.undo_counts or {})}
    )
    for later in db.session.scalars(
        sa.select(Import).where(
            Import.continues_id == imp.id,
            Import.status.in_([ImportStatus.committed, ImportStatus.failed]),
        )
    ):
        counts.update(undo_import(later, actor=actor, now=now))
    kind = imp.kind.value
    total = db.session.scalar(sa.select(sa.func.count()).where(ImportRow.import_id == imp.id)) or 1
    last, done = 0, 0
    with audit.caused_by({"undo": imp.id, "file": imp.filename}):
        while True:
            rows = db.session.scalars(
                sa.select(ImportRow)
                .where(ImportRow.import_id == imp.id, ImportRow.id > last, ImportRow.undo.is_(None))
                .order_by(ImportRow.id)
                .limit(CHUNK)
            ).all()
            if not rows:
                break
            last, done = rows[-1].id, done + len(rows)
            with touches.together(now=now):  # the figures followed once a chunk
                _chunk(kind, rows, counts, actor=actor, now=now)
            if checkpoint:
                checkpoint(done / total)
    db.session.execute(sa.delete(ImportKey).where(ImportKey.import_id == imp.id))
    imp.status, imp.undone_at, imp.undo_counts = ImportStatus.undone, now, dict(counts)
    imp.progress = 1.0
    db.session.flush()
    return dict(counts)


def _contacts_at_once(
    rows: list[ImportRow],
    records: dict[int, Any],
    counts: Counter[str],
    *,
    actor: User,
    now: datetime,
) -> list[ImportRow]:
    """The created contacts nobody has changed since, deleted in one go (a big import's undo in
    seconds); if that is refused, they go one by one with the rest. Returns the rows left."""
    simple = [
        r
        for r in rows
        if r.outcome == Outcome.create
        and not r.linked
        and (c := records.get(r.record_id)) is not None
        and c.deleted_at is None
        and c.version == r.after_version
    ]
    if not simple:
        return rows
    try:
        with db.session.begin_nested():
            contacts.delete_contacts([records[r.record_id] for r in simple], actor=actor, now=now)
    except REFUSALS:
        return rows
    for row in simple:
        row.undo = "reversed"
        counts["reversed"] += 1
    done = {id(r) for r in simple}
    return [r for r in rows if id(r) not in done]


def _chunk(
    kind: str, rows: list[ImportRow], counts: Counter[str], *, actor: User, now: datetime
) -> None:
    model = MODELS[kind]
    todo = [r for r in rows if r.outcome in (Outcome.create, Outcome.update) and r.record_id]
    records = {
        x.id: x
        for x in db.session.scalars(
            sa.select(model).where(model.id.in_([r.record_id for r in todo]))
        )
    }
    if kind == "contacts":
        todo = _contacts_at_once(todo, records, counts, actor=actor, now=now)
    for row in todo:
        try:
            with db.session.begin_nested():
                row.undo = _reverse(kind, row, records.get(row.record_id), actor=actor, now=now)
                if row.undo == "reversed":
                    _linked(row, actor=actor, now=now)
        except REFUSALS:
            row.undo = "failed"
        counts[row.undo] += 1
    db.session.flush()
