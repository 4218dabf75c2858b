"""The one export engine: a list's rows read in batches from one query and written as CSV or Excel.

A list gives a `Listing` (lists.py): its SQL (scope, filters, the columns each row shows with the
names joined in), its order and how a batch of rows becomes typed cells. The engine never
holds more than a batch: CSV is streamed to the client as it is written; an Excel workbook is
written row by row to a temporary file (openpyxl's write-only mode) and then streamed.

Nothing a customer typed runs as a formula (STACK.md: formula injection): in CSV, text starting
with = + - @ (or a tab or carriage return) gets a leading apostrophe, as before; in Excel every
cell is typed, so such text is a text cell shown exactly as typed.
"""

import contextlib
import csv
import gc
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Response, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from salesflow import clock
from salesflow.extensions import db

BATCH = 5000  # rows per batch: a few set-wise queries for each, bounded memory
SHEET_ROWS = 1_048_576  # Excel's rows per sheet (the header row included); more go to a next sheet
CHUNK = 64 * 1024
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_START)
MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# What an .xlsx cannot hold (openpyxl refuses it): C0 controls but tab and line breaks. The input
# checks keep them out; a row stored before them must still export.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")

Cells = Sequence[Any]


@dataclass(frozen=True)
class Column:
    header: Any  # a translated label (lazy), or plain text such as "AR"
    width: int = 16  # characters, in the spreadsheet


@dataclass(frozen=True)
class Listing:
    """One list's export. `query` selects the rows (one column labelled `id`) under the page's
    scope and filters; `sort` and `descending` are the page's order (ties by id); `cells` turns a
    batch of rows into typed values — str, int, Decimal, date, aware datetime or None — in the
    columns' order, with at most a few set-wise queries per batch."""

    name: str  # the file name's stem
    title: Any  # the sheet's name
    columns: Sequence[Column]
    query: sa.Select[Any]
    cells: Callable[[Sequence[sa.Row[Any]]], Iterable[Cells]]
    id_column: Any
    sort: Any = None  # None: by id only
    descending: bool = False


def safe_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ (or a tab or carriage
    return) gets a leading apostrophe. Numbers are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector held off while a batch is read and written (never across a
    yield): a batch makes some 100,000 objects that all live until it is written, and each
    collection their growth sets off walks every object of the app (measured: 40% of an export's
    time). What the batch leaves behind is collected as usual once it is resumed."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def batches(listing: Listing, size: int | None = None) -> Iterator[Sequence[sa.Row[Any]]]:
    """The rows in the listing's order, `size` (BATCH) at a time, from one query: the rows are
    sorted once and streamed (a server-side cursor on PostgreSQL; SQLite steps through its
    result), never all held at once. Keyset pages re-sorted every row the filters keep for each
    page (a director's 10,000 deals: 19 ms a page on SQLite)."""
    size = size or BATCH
    key, descending = listing.id_column, listing.descending
    order = [key.desc() if descending else key]
    if listing.sort is not None:
        order.insert(0, listing.sort.desc() if descending else listing.sort)
    query = listing.query.order_by(*order).execution_options(yield_per=size)
    # Core rows, not the ORM's result machinery: the listing selects plain columns.
    with collector_paused():
        result = db.session.connection().execute(query)
    try:
        while True:
            with collector_paused():
                rows = result.fetchmany(size)
            if not rows:
                return
            yield rows
    finally:
        result.close()


def _local(value: datetime, zone: Any) -> datetime:
    """A stored moment as the reader's wall-clock time (spreadsheets have no time zones)."""
    return value.astimezone(zone).replace(tzinfo=None)


def _csv_rows(rows: Iterable[Cells], zone: Any) -> Iterator[list[Any]]:
    """Rows as the csv module writes them: text escaped as safe_cell does, moments as local
    time; None, numbers and dates are written as they are (empty, plain, ISO). Inline rather
    than a call per cell: this is where a large export spends its time."""
    starts, moment = _FORMULA_FIRST, datetime
    for cells in rows:
        yield [
            ("'" + v if v[:1] in starts else v)
            if v.__class__ is str
            else v.astimezone(zone).replace(tzinfo=None).isoformat(" ", "minutes")
            if v.__class__ is moment
            else v
            for v in cells
        ]


def csv_chunks(listing: Listing) -> Iterator[str]:
    """The CSV text, UTF-8 with a BOM so Excel reads Chinese, a batch of rows at a time."""
    zone = clock.zone()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(column.header) for column in listing.columns])
    yield "\ufeff" + buffer.getvalue()
    for rows in batches(listing):
        buffer.seek(0)
        buffer.truncate()
        with collector_paused():
            writer.writerows(_csv_rows(listing.cells(rows), zone))
        yield buffer.getvalue()


def _xlsx_cell(sheet: Any, value: Any, zone: Any) -> Any:
    if isinstance(value, str):
        value = _ILLEGAL.sub("", value)
        if value.startswith("="):  # openpyxl would write it as a formula: a text cell instead
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"
            return cell
        return value
    if isinstance(value, datetime):
        return _local(value, zone)
    return value


def _sheet(workbook: Workbook, listing: Listing, number: int) -> Any:
    """A new sheet with the listing's header row (bold, frozen) and column widths."""
    title = _SHEET_TITLE.sub(" ", str(listing.title))[:25] or listing.name
    sheet = workbook.create_sheet(title if number == 1 else f"{title} ({number})")
    for index, column in enumerate(listing.columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in listing.columns:
        cell = WriteOnlyCell(sheet, _ILLEGAL.sub("", str(column.header)))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    return sheet


def xlsx_chunks(listing: Listing) -> Iterator[bytes]:
    """The workbook's bytes: rows go to a temporary file as they are read (bounded memory), and
    the finished file is sent in chunks."""
    zone = clock.zone()
    workbook = Workbook(write_only=True)
    sheets = 1
    sheet, used = _sheet(workbook, listing, sheets), 1
    for rows in batches(listing):
        with collector_paused():
            for cells in listing.cells(rows):
                if used == SHEET_ROWS:
                    sheets += 1
                    sheet, used = _sheet(workbook, listing, sheets), 1
                sheet.append([_xlsx_cell(sheet, value, zone) for value in cells])
                used += 1
    with tempfile.TemporaryFile() as file:
        workbook.save(file)
        file.seek(0)
        while chunk := file.read(CHUNK):
            yield chunk


def response(listing: Listing, fmt: str, *, now: datetime) -> Response:
    """The download: `fmt` is "csv" or "xlsx"; the file is named after the list and the day."""
    chunks = csv_chunks(listing) if fmt == "csv" else xlsx_chunks(listing)
    name = f"{listing.name}-{clock.today(now):%Y%m%d}.{fmt}"
    return Response(
        stream_with_context(chunks),
        mimetype=MIMETYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
