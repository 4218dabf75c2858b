"""API: imports of accounts, contacts, interactions and opportunities from CSV, XLSX and vCard
files (API.md, "Data in and out"): upload with a dry run, the rows, commit, the error file, undo.
The rules live in salesflow.imports; this is the shape."""

import json
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from apiflask.fields import UploadFile
from flask import current_app
from flask_babel import gettext as _
from pydantic import BaseModel, Field
from werkzeug.exceptions import RequestEntityTooLarge

from salesflow import clock, scope
from salesflow.api import _encode_cursor, bp, caller, page_params, paginate, token_auth
from salesflow.errors import ValidationFailed
from salesflow.extensions import db
from salesflow.imports import errorfile, runner, services
from salesflow.imports.models import OUTCOMES, Import, ImportRow

Kind = Literal["accounts", "contacts", "interactions", "opportunities"]
Mode = Literal["create", "fill", "overwrite"]
ERRORS = {404: "Not found or outside your scope", 422: "Invalid input"}
DOWNLOAD = {
    "description": "The failed rows as uploaded, plus `error_field` and `error_message` (UTF-8 "
    "with a byte-order mark, so Excel reads Chinese; cells that would run as formulas escaped)",
    "content": {"text/csv": {"schema": {"type": "string"}}},
}
XLSX_DOWNLOAD = {
    "description": "The same rows as an Excel workbook",
    "content": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
            "schema": {"type": "string", "format": "binary"}
        }
    },
}


class ImportIn(BaseModel):
    file: UploadFile = Field(description="A CSV (UTF-8 or GBK/GB18030), XLSX or vCard file.")
    kind: Kind
    mapping: str | None = Field(
        None,
        max_length=20_000,
        description='A JSON object: column header → field, e.g. {"公司名称": "account"}. '
        "Without it: the mapping last used for these headers, else one read from them.",
    )
    mode: Mode = Field(
        "fill",
        description="What a row matching a record does: create only, "
        "fill its blank fields, or overwrite them.",
    )
    account_id: int | None = Field(None, ge=1, description="vCards into this one account.")
    sheet: str | None = Field(None, max_length=100, description="The XLSX sheet (the first).")
    header_row: int | None = Field(None, ge=1, le=10, description="The header's row (guessed).")
    source: str | None = Field(
        None, max_length=120, description="Whose ids the `external_id` column holds."
    )
    continues: int | None = Field(
        None,
        ge=1,
        description="The import whose fixed error file "
        "this is (found by itself for an error file).",
    )


class Counts(BaseModel):
    create: int = 0
    update: int = 0
    unchanged: int = 0
    skip: int = 0
    error: int = 0


class ImportOut(BaseModel):
    id: int
    kind: str
    mode: str
    status: Literal["previewed", "running", "committed", "undone", "failed"]
    progress: float = Field(description="0 to 1 while running.")
    filename: str
    file_type: str
    encoding: str | None
    sheet: str | None
    sheets: list[str]
    header_row: int
    columns: list[str]
    mapping: dict[str, str]
    source: str
    account_id: int | None
    continues: int | None
    total_rows: int
    counts: Counts
    failure: str | None
    created_at: datetime
    committed_at: datetime | None
    undo_until: datetime | None
    undone_at: datetime | None
    undo_counts: dict[str, int] | None


class ImportPage(BaseModel):
    items: list[ImportOut]
    next_cursor: str | None


class RowOut(BaseModel):
    row: int = Field(description="1-based data row (the first row under the header is 1).")
    outcome: Literal["create", "update", "unchanged", "skip", "error"]
    record_id: int | None
    matched_by: str | None
    errors: dict[str, list[str]]
    notes: dict[str, list[str]]
    undo: str | None


class RowPage(BaseModel):
    items: list[RowOut]
    next_cursor: str | None


class RowFilter(BaseModel):
    outcome: Literal["create", "update", "unchanged", "skip", "error"] | None = None
    limit: int | None = None
    cursor: str | None = None


class PageFilter(BaseModel):
    limit: int | None = None
    cursor: str | None = None


class UndoCounts(BaseModel):
    reversed: int = 0
    kept: int = 0
    failed: int = 0


class UndoOut(BaseModel):
    counts: UndoCounts
    status: str = Field(description="undone, or running for a big import (poll its GET).")


def import_out(imp: Import) -> dict[str, Any]:
    now = clock.now()
    return {
        **{
            c: getattr(imp, c)
            for c in (
                "id",
                "filename",
                "file_type",
                "encoding",
                "sheet",
                "sheets",
                "header_row",
                "columns",
                "mapping",
                "source",
                "account_id",
                "total_rows",
                "failure",
                "created_at",
                "committed_at",
                "undone_at",
                "undo_counts",
            )
        },
        "kind": imp.kind.value,
        "mode": imp.mode.value,
        "status": runner.shown_status(imp, now),
        "progress": imp.progress,
        "continues": imp.continues_id,
        "counts": imp.counts or {},
        "undo_until": services.undo_deadline(imp),
    }


def row_out(row: ImportRow) -> dict[str, Any]:
    return {
        "row": row.row,
        "outcome": row.outcome.value,
        "record_id": row.record_id,
        "matched_by": row.matched_by,
        "errors": row.errors or {},
        "notes": row.notes or {},
        "undo": row.undo,
    }


def _mapping(raw: str | None) -> Any:
    if raw is None or not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise ValidationFailed(
            fields={"mapping": [_("Give the mapping as a JSON object: column → field.")]}
        ) from None


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge):
    """An upload beyond MAX_CONTENT_LENGTH: the limit in words, in the API's error shape."""
    megabytes = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    message = _("The file is larger than %(n)d MB: split it into several files.", n=megabytes)
    return {"error": {"code": "too_large", "message": message}}, 413


@bp.get("/imports")
@bp.auth_required(token_auth)
@bp.input(PageFilter, location="query", arg_name="paging")
@bp.output(ImportPage)
@bp.doc(
    summary="Imports you may see: your own (a director also their team's, an admin all)",
    responses={422: "Invalid limit or cursor"},
)
def list_imports(paging: PageFilter):
    return paginate(sa.select(Import).where(scope.visible_imports(caller())), Import.id, import_out)


@bp.post("/imports")
@bp.auth_required(token_auth)
@bp.input(ImportIn, location="form_and_files", arg_name="data")
@bp.output(ImportOut, status_code=201)
@bp.doc(
    summary="Upload a file: it is read, mapped and dry-run; nothing else is written",
    description="Every row gets an outcome (GET /imports/{id}/rows); POST /imports/{id}/commit "
    "writes them. Files up to MAX_CONTENT_LENGTH (50 MB) and IMPORT_MAX_ROWS rows.",
    responses={**ERRORS, 403: "You may not import this kind", 413: "The file is too large"},
)
def create_import(data: ImportIn):
    params = {
        k: getattr(data, k)
        for k in ("kind", "mode", "account_id", "sheet", "header_row", "source", "continues")
    }
    params["mapping"] = _mapping(data.mapping)
    imp = services.start_import(
        data.file.read(), data.file.filename or "", params, actor=caller(), now=clock.now()
    )
    return import_out(imp), 201


@bp.get("/imports/<int:import_id>")
@bp.auth_required(token_auth)
@bp.output(ImportOut)
@bp.doc(summary="One import: status, progress (poll it while running), counts", responses=ERRORS)
def get_import(import_id: int):
    return import_out(services.visible(caller(), import_id))


@bp.get("/imports/<int:import_id>/rows")
@bp.auth_required(token_auth)
@bp.input(RowFilter, location="query", arg_name="filters")
@bp.output(RowPage)
@bp.doc(summary="The rows' outcomes, in file order; filter by outcome", responses=ERRORS)
def import_rows(import_id: int, filters: RowFilter):
    imp = services.visible(caller(), import_id)
    outcome = filters.outcome if filters.outcome in OUTCOMES else None
    limit, after = page_params()  # the cursor is the last row number shown
    query = services.rows_query(imp, outcome)
    if after is not None:
        query = query.where(ImportRow.row > after)
    rows = db.session.scalars(query.order_by(ImportRow.row).limit(limit + 1)).all()
    more = len(rows) > limit
    return {
        "items": [row_out(r) for r in rows[:limit]],
        "next_cursor": _encode_cursor(rows[limit - 1].row) if more else None,
    }


@bp.post("/imports/<int:import_id>/commit")
@bp.auth_required(token_auth)
@bp.output(ImportOut)
@bp.doc(
    summary="Commit what the dry run showed (by the importer)",
    description="A big file is committed in the background: poll GET /imports/{id} while its "
    "status is `running`. Each row is written in its own savepoint: one bad row never fails "
    "the others.",
    responses={**ERRORS, 403: "Not your import", 409: "Already committed or running"},
)
def commit_import(import_id: int):
    imp = services.visible(caller(), import_id)
    return import_out(runner.commit(imp, actor=caller(), now=clock.now()))


@bp.get("/imports/<int:import_id>/errors.csv")
@bp.auth_required(token_auth)
@bp.doc(
    summary="The failed rows as uploaded, to fix and upload again (it continues the import)",
    responses={200: DOWNLOAD, 404: "Not found or outside your scope"},
)
def import_errors_csv(import_id: int):
    return errorfile.response(services.visible(caller(), import_id), "csv")


@bp.get("/imports/<int:import_id>/errors.xlsx")
@bp.auth_required(token_auth)
@bp.doc(
    summary="The failed rows as an Excel workbook",
    responses={200: XLSX_DOWNLOAD, 404: "Not found or outside your scope"},
)
def import_errors_xlsx(import_id: int):
    return errorfile.response(services.visible(caller(), import_id), "xlsx")


@bp.post("/imports/<int:import_id>/undo")
@bp.auth_required(token_auth)
@bp.output(UndoOut)
@bp.doc(
    summary="Undo within 30 days: created records deleted, changed ones restored",
    description="A record someone changed since the import is kept and counted as `kept`. By "
    "the importer's director or an admin.",
    responses={**ERRORS, 403: "Not allowed", 409: "Already running"},
)
def undo_import(import_id: int):
    imp = services.visible(caller(), import_id)
    imp = runner.undo(imp, actor=caller(), now=clock.now())
    return {"counts": imp.undo_counts or {}, "status": runner.shown_status(imp, clock.now())}
