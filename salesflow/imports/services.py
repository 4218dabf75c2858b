"""Imports: every write. Upload with a dry run, a new mapping (dry run again), the commit and
the undo. Entry points (views, API, CLI, the background runner) commit; the commit of a big file
also commits a chunk at a time through its `checkpoint`, so its progress can be watched.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from salesflow import links, scope
from salesflow.accounts.models import Account
from salesflow.audit import services as audit
from salesflow.auth.models import User
from salesflow.errors import Conflict, Forbidden, NotFound, ValidationFailed
from salesflow.extensions import db
from salesflow.imports import mapping as maps
from salesflow.imports import reading
from salesflow.imports.models import (
    Import,
    ImportFile,
    ImportKind,
    ImportMode,
    ImportRow,
    ImportStatus,
)
from salesflow.imports.resolving import Context, run
from salesflow.notifications.services import notify
from salesflow.validation import Errors, add, is_id, max_length, text

UNDO_DAYS = 30
PREVIEW_DAYS = 7  # an upload never committed keeps its file this long after its last dry run
Checkpoint = Callable[[float], None]


def _choice(value: Any, enum_cls: Any, name: str, errors: Errors, default: Any = None) -> Any:
    if value in (None, "") and default is not None:
        return default
    try:
        return enum_cls(value)
    except ValueError:
        add(errors, name, _l("Not one of the allowed values."))
        return None


def _header_row(value: Any, errors: Errors) -> int | None:
    if value in (None, ""):
        return None
    number = value if isinstance(value, int) else int(value) if str(value).isdigit() else None
    if number is None or not 1 <= number <= reading.HEADER_SCAN_ROWS:
        add(
            errors,
            "header_row",
            _l("Choose one of the first %(n)d rows.", n=reading.HEADER_SCAN_ROWS),
        )
        return None
    return number


def _fixed_account(value: Any, actor: User, errors: Errors) -> int | None:
    """vCards into one account: an account the importer may import into."""
    if value in (None, ""):
        return None
    if not is_id(value):
        add(errors, "account_id", _l("Choose an account."))
        return None
    found = db.session.scalar(
        sa.select(Account.id).where(Account.id == value, scope.importable_accounts(actor))
    )
    if found is None:
        add(errors, "account_id", _l("Choose an account of your team."))
    return found


def _continued(value: Any, kind: ImportKind | None, actor: User, errors: Errors) -> Import | None:
    if value in (None, ""):
        return None
    earlier = (
        db.session.scalar(sa.select(Import).where(Import.id == value, scope.visible_imports(actor)))
        if is_id(value)
        else None
    )
    if earlier is None or earlier.kind != kind or earlier.status != ImportStatus.committed:
        add(errors, "continues", _l("Choose a committed import of the same kind."))
        return None
    return earlier


def _auto_continued(kind: ImportKind, columns: list[str], actor: User) -> Import | None:
    """A fixed error file (it has the error columns) continues the latest committed import of
    the same kind and headers by the same person that had errors."""
    if not set(maps.ERROR_COLUMNS) <= set(columns):
        return None
    wanted = maps.header_key(kind.value, columns)
    for earlier in db.session.scalars(
        sa.select(Import)
        .where(
            Import.created_by_id == actor.id,
            Import.kind == kind,
            Import.status == ImportStatus.committed,
        )
        .order_by(Import.id.desc())
        .limit(20)
    ):
        if earlier.counts.get("error") and maps.header_key(kind.value, earlier.columns) == wanted:
            return earlier
    return None


def start_import(
    data: bytes,
    filename: str,
    params: dict[str, Any],
    *,
    actor: User,
    now: datetime,
    require_mapping: bool = True,
) -> Import:
    """Upload a file and run its dry run (nothing is written but the import's own records).
    `params`: kind, mode (default fill), mapping (column → field; else the one remembered for
    these headers or read from them), account_id (vCards into one account), sheet and
    header_row (XLSX, a title above the header), source (whose external ids), continues (the
    import whose fixed error file this is). Without `require_mapping` (the upload page) an
    incomplete mapping is kept for the person to finish and no dry run is made yet.
    Raises Forbidden, ValidationFailed (every problem at once)."""
    errors: Errors = {}
    kind = _choice(params.get("kind"), ImportKind, "kind", errors)
    if kind is not None and not scope.can_import(actor, kind.value):
        raise Forbidden()
    mode = _choice(params.get("mode"), ImportMode, "mode", errors, default=ImportMode.fill)
    header_row = _header_row(params.get("header_row"), errors)
    account_id = _fixed_account(params.get("account_id"), actor, errors)
    if account_id is not None and kind is not None and kind != ImportKind.contacts:
        add(
            errors,
            "account_id",
            _l(
                "Only contacts go into one chosen account; other rows name "
                "their account in the file."
            ),
        )
    earlier = _continued(params.get("continues"), kind, actor, errors)
    source = text(params.get("source"), "source", errors, column=Import.source)
    if errors:
        raise ValidationFailed(fields=errors)
    sheet = params.get("sheet") or None
    table = reading.open_table(data, filename, sheet=sheet, header_row=header_row)
    earlier = earlier or _auto_continued(kind, table.columns, actor)
    imp = Import(
        kind=kind,
        mode=mode,
        created_by_id=actor.id,
        filename=_filename(filename),
        file_type=table.file_type,
        encoding=table.encoding,
        sheet=table.sheet,
        sheets=table.sheets,
        header_row=table.header_row,
        columns=table.columns,
        account_id=account_id,
        continues_id=earlier.id if earlier else None,
        source=source or (earlier.source if earlier else _default_source(kind, table)),
        counts={},
        status=ImportStatus.previewed,
    )
    imp.mapping = _mapping(imp, params.get("mapping"), earlier, require=require_mapping)
    db.session.add(imp)
    db.session.flush()
    db.session.add(ImportFile(import_id=imp.id, data=data))
    if _complete(imp):
        dry_run(imp, actor=actor, now=now, table=table)
    return imp


def _filename(name: str) -> str:
    base = (name or "upload").replace("\\", "/").rsplit("/", 1)[-1].strip() or "upload"
    return base[: max_length(Import.filename)]


def _default_source(kind: ImportKind, table: reading.Table) -> str:
    """Files with the same headers come from the same system: they share their ids."""
    return f"{table.file_type}:{maps.header_key(kind.value, table.columns)[:16]}"


def _mapping(imp: Import, given: Any, earlier: Import | None, *, require: bool) -> dict[str, str]:
    fixed = imp.account_id is not None
    if imp.file_type == "vcf" and given is None:  # a vCard reader names the fields itself
        given = {c: c for c in imp.columns if c in maps.FIELDS[imp.kind.value]}
    if given is None:
        given = earlier.mapping if earlier else maps.suggested(imp.kind.value, imp.columns)
        given = {c: f for c, f in given.items() if c in imp.columns}
        if not require:  # the upload page: the person finishes it on the mapping page
            return given
    return maps.check_mapping(imp.kind, imp.columns, given, fixed_account=fixed)


def _complete(imp: Import) -> bool:
    try:
        maps.check_mapping(
            imp.kind, imp.columns, imp.mapping, fixed_account=imp.account_id is not None
        )
    except ValidationFailed:
        return False
    return True


def _file_gone() -> ValidationFailed:
    return ValidationFailed(
        fields={"file": [str(_l("The file of this import is no longer kept: upload it again."))]}
    )


def _table(imp: Import) -> reading.Table:
    stored = db.session.get(ImportFile, imp.id)
    if stored is None:
        raise _file_gone()
    return reading.open_table(stored.data, imp.filename, sheet=imp.sheet, header_row=imp.header_row)


def dry_run(
    imp: Import, *, actor: User, now: datetime, table: reading.Table | None = None
) -> Import:
    """Every row's outcome as the commit would make it, writing nothing but the import's rows."""
    ctx = Context(imp, actor, now, commit=False)
    imp.counts = run(imp, table or _table(imp), ctx)
    db.session.flush()
    return imp


def remap(imp: Import, params: dict[str, Any], *, actor: User, now: datetime) -> Import:
    """Change the mapping, mode, sheet or header row of an import not yet committed and run the
    dry run again; the mapping is remembered for these headers. Raises Forbidden,
    ValidationFailed."""
    if imp.created_by_id != actor.id:
        raise Forbidden()
    if imp.status != ImportStatus.previewed:
        raise ValidationFailed(fields={"status": [str(_l("This import is already committed."))]})
    errors: Errors = {}
    mode = _choice(params.get("mode"), ImportMode, "mode", errors, default=imp.mode)
    header_row = _header_row(params.get("header_row"), errors)
    if errors:
        raise ValidationFailed(fields=errors)
    sheet, moved = params.get("sheet") or imp.sheet, False
    if sheet != imp.sheet or (header_row and header_row != imp.header_row):
        stored = db.session.get(ImportFile, imp.id)
        assert stored is not None
        table = reading.open_table(stored.data, imp.filename, sheet=sheet, header_row=header_row)
        imp.sheet, imp.header_row, moved = table.sheet, table.header_row, True
        imp.columns = table.columns
    given = params.get("mapping")
    if given is None and moved:
        given = maps.suggested(imp.kind.value, imp.columns)
    if given is not None:
        imp.mapping = maps.check_mapping(
            imp.kind, imp.columns, given, fixed_account=imp.account_id is not None
        )
        maps.remember(imp.kind.value, imp.columns, imp.mapping, now=now)
    imp.mode = mode
    if _complete(imp):
        dry_run(imp, actor=actor, now=now)
    return imp


def claim_commit(imp: Import, *, actor: User, now: datetime) -> Import:
    """Mark a previewed import as running (once: a second click or a race is a Conflict).
    Raises Forbidden (not the importer), ValidationFailed (incomplete mapping), Conflict."""
    if imp.created_by_id != actor.id:
        raise Forbidden()
    if not scope.can_import(actor, imp.kind.value):
        raise Forbidden()
    if imp.status != ImportStatus.previewed:
        raise ValidationFailed(fields={"status": [str(_l("This import is already committed."))]})
    if not _complete(imp):
        maps.check_mapping(
            imp.kind, imp.columns, imp.mapping, fixed_account=imp.account_id is not None
        )
    kept = sa.select(ImportFile.import_id).where(ImportFile.import_id == imp.id)
    if db.session.scalar(kept) is None:  # forgotten after a week at its dry run
        raise _file_gone()
    claimed = db.session.execute(
        sa.update(Import)
        .where(Import.id == imp.id, Import.status == ImportStatus.previewed)
        .values(status=ImportStatus.running, progress=0.0, heartbeat_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise Conflict()
    db.session.refresh(imp)
    return imp


def commit_import(
    imp: Import, *, actor: User, now: datetime, checkpoint: Checkpoint | None = None
) -> Import:
    """Write what the dry run showed (a claimed, running import): every row in a savepoint, the
    records audited with the import as their cause, one summary notification to the importer
    (no notification per row). Flushes; `checkpoint` may commit between chunks."""
    table = _table(imp)
    ctx = Context(imp, actor, now, commit=True)
    with audit.caused_by({"import": imp.id, "file": imp.filename}):
        counts = run(imp, table, ctx, checkpoint=checkpoint)
    imp.counts, imp.status, imp.progress = counts, ImportStatus.committed, 1.0
    imp.committed_at = imp.heartbeat_at = now
    maps.remember(imp.kind.value, imp.columns, imp.mapping, now=now)
    db.session.execute(sa.delete(ImportFile).where(ImportFile.import_id == imp.id))
    _tell(imp, actor, now)
    db.session.flush()
    return imp


def _tell(imp: Import, actor: User, now: datetime) -> None:
    counts = imp.counts
    params = {
        "file": imp.filename,
        "created": counts.get("create", 0),
        "updated": counts.get("update", 0),
        "unchanged": counts.get("unchanged", 0),
        "skipped": counts.get("skip", 0),
        "errors": counts.get("error", 0),
    }
    link = links.path("imports.detail", import_id=imp.id)  # the CLI and the runner: no request
    notify([actor], "import_done", params=params, link=link, key=f"import:{imp.id}", now=now)


def mark_failed(imp: Import, reason: str, *, now: datetime) -> None:
    """A commit that stopped: what it wrote so far stays (and can be undone)."""
    imp.status, imp.failure, imp.heartbeat_at = ImportStatus.failed, reason[:2000], now
    db.session.flush()


def forget_stale_files(*, now: datetime) -> int:
    """The uploaded bytes of imports left at their dry run for PREVIEW_DAYS: deleted (the import
    and its row outcomes stay; committing it asks for the file again). Every upload is kept
    until its commit has read it; one never committed would stay for good. Returns how many."""
    stale = sa.select(Import.id).where(
        Import.status == ImportStatus.previewed,
        Import.updated_at < now - timedelta(days=PREVIEW_DAYS),
    )
    result = db.session.execute(sa.delete(ImportFile).where(ImportFile.import_id.in_(stale)))
    return result.rowcount


def undo_deadline(imp: Import) -> datetime | None:
    moment = imp.committed_at or (imp.heartbeat_at if imp.status == ImportStatus.failed else None)
    return moment + timedelta(days=UNDO_DAYS) if moment else None


def check_undo(imp: Import, *, actor: User, now: datetime) -> None:
    """Undo is for the importer's director or an admin, within 30 days of a committed (or
    stopped) import. Raises Forbidden, ValidationFailed."""
    if not scope.can_undo_import(actor, imp.created_by):
        raise Forbidden(_l("An import is undone by a director or an admin."))
    if imp.status not in (ImportStatus.committed, ImportStatus.failed):
        raise ValidationFailed(
            fields={"status": [str(_l("Only a committed import can be undone."))]}
        )
    deadline = undo_deadline(imp)
    if deadline is None or now > deadline:
        raise ValidationFailed(
            fields={
                "status": [
                    str(
                        _l(
                            "An import can be undone for %(n)d days after it was committed.",
                            n=UNDO_DAYS,
                        )
                    )
                ]
            }
        )


def visible(actor: User, import_id: int) -> Import:
    """The import if `actor` may see it (their own, their team's for a director, all for an
    admin), else NotFound."""
    imp = db.session.scalar(
        sa.select(Import).where(Import.id == import_id, scope.visible_imports(actor))
    )
    if imp is None:
        raise NotFound()
    return imp


def rows_query(imp: Import, outcome: str | None) -> sa.Select[Any]:
    query = sa.select(ImportRow).where(ImportRow.import_id == imp.id)
    if outcome:
        query = query.where(ImportRow.outcome == outcome)
    return query
