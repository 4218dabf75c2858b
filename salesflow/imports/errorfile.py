"""The error file: the rows that failed, as they were uploaded, plus `error_field` (the column at
fault, by its header) and `error_message` — as CSV (UTF-8 with a byte-order mark, so Excel reads
Chinese) or XLSX. Fixed and uploaded again, it continues the same import. Cells that a
spreadsheet would run as a formula are escaped, as every export does."""

import csv
import io
import re
import tempfile
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from flask import Response, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from salesflow.exports.files import safe_cell
from salesflow.extensions import db
from salesflow.imports.models import Import, ImportRow, Outcome

BATCH = 1000
COLUMNS = ("error_field", "error_message")
MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what an XLSX cannot hold


def _header(imp: Import) -> list[str]:
    return [c for c in imp.columns if c not in COLUMNS] + list(COLUMNS)


def _fields(imp: Import) -> dict[str, str]:
    """Field → the column that holds it (an error is named by the header the person sees)."""
    return {field: column for column, field in imp.mapping.items()}


def rows(imp: Import) -> Iterator[list[Any]]:
    """Each failed row's cells (the error file's own two columns replaced), its fields at fault
    and their messages, a batch at a time."""
    columns = _fields(imp)
    keep = [i for i, c in enumerate(imp.columns) if c not in COLUMNS]
    last = 0
    while True:
        batch = db.session.execute(
            sa.select(ImportRow.id, ImportRow.values, ImportRow.errors)
            .where(
                ImportRow.import_id == imp.id,
                ImportRow.outcome == Outcome.error,
                ImportRow.id > last,
            )
            .order_by(ImportRow.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        last = batch[-1].id
        for _id, values, errors in batch:
            values = list(values or [])
            cells = [values[i] if i < len(values) else "" for i in keep]
            names = [columns.get(name, name) for name in (errors or {})]
            messages = [m for ms in (errors or {}).values() for m in ms]
            yield [*cells, ", ".join(names), " ".join(messages)]


def csv_chunks(imp: Import) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(c) for c in _header(imp)])
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for number, cells in enumerate(rows(imp), start=1):
        writer.writerow([safe_cell(c) for c in cells])
        if number % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    value = _ILLEGAL.sub("", str(value or ""))
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"  # always text: "=…" is never written as a formula, "0086…" stays
    return cell


def xlsx_chunks(imp: Import) -> Iterator[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("errors")
    sheet.append([_xlsx_cell(sheet, c) for c in _header(imp)])
    for cells in rows(imp):
        sheet.append([_xlsx_cell(sheet, c) for c in cells])
    with tempfile.TemporaryFile() as file:
        workbook.save(file)
        file.seek(0)
        while chunk := file.read(1 << 16):
            yield chunk


def _attachment(imp: Import, fmt: str) -> str:
    """Named after the uploaded file: in UTF-8 (RFC 6266; "客户名单-errors-3.csv") and in ASCII
    for old clients — a header itself must stay ASCII."""
    stem = re.sub(r"[^\w.-]+", "_", imp.filename.rsplit(".", 1)[0])[:80] or "import"
    plain = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("_") or "import"
    name = f"{stem}-errors-{imp.id}.{fmt}"
    return f"attachment; filename=\"{plain}-errors-{imp.id}.{fmt}\"; filename*=UTF-8''{quote(name)}"


def response(imp: Import, fmt: str) -> Response:
    """The download of the failed rows as CSV or XLSX."""
    chunks = csv_chunks(imp) if fmt == "csv" else xlsx_chunks(imp)
    return Response(
        stream_with_context(chunks),
        mimetype=MIMETYPES[fmt],
        headers={"Content-Disposition": _attachment(imp, fmt)},
    )
