"""A file as a header and a stream of rows of text: CSV (UTF-8 with or without a byte-order mark,
GB18030/GBK as Chinese Excel's "Save as CSV" writes it, UTF-16 as Excel's "Unicode text"), XLSX
(openpyxl in read-only mode; defusedxml guards its XML) and vCard (vcard.py).

Rows are read from the stored bytes each time they are asked for, never kept: a 100,000-row file
is decoded a chunk at a time, so it is in memory once (its bytes), not twice. A bad file is one
ValidationFailed on `file` with a message a person can act on — never a 500.
"""

import codecs
import csv
import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from salesflow.errors import ValidationFailed

MAX_COLUMNS = 500  # far more than any real sheet; a "CSV bomb" of 10^6 columns is refused
MAX_CELL = 100_000  # characters in one cell (a long note is a few thousand)
SNIFF_BYTES = 64 * 1024
HEADER_SCAN_ROWS = 10  # a title or notes above the header: where the header is, is guessed here
CSV_TYPES = {".csv", ".txt", ".tsv"}
XLSX_TYPES = {".xlsx", ".xlsm"}
VCARD_TYPES = {".vcf", ".vcard"}
# Errors a person may make: a file type we can name and say what to do about.
OLD_EXCEL = {".xls", ".et", ".numbers", ".ods"}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls, .doc: a compound file
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what exports escape with an apostrophe

csv.field_size_limit(MAX_CELL)


def refuse(message: str) -> ValidationFailed:
    return ValidationFailed(fields={"file": [message]})


def max_rows() -> int:
    return int(current_app.config.get("IMPORT_MAX_ROWS", 200_000))


@dataclass
class Row:
    number: int  # 1-based data row: the first row under the header is 1
    cells: list[str]
    problem: str | None = None  # a row the reader could not read faithfully (a broken vCard)


@dataclass
class Table:
    """What the reader found: the file type, its encoding, sheets, the header and its row."""

    data: bytes = field(repr=False)
    file_type: str
    encoding: str | None = None
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None
    header_row: int = 1
    columns: list[str] = field(default_factory=list)
    delimiter: str = ","

    def rows(self) -> Iterator[Row]:
        """The data rows below the header, read again from the bytes at each call; wholly blank
        rows are passed over (their numbers are kept, so row N is still the sheet's row N)."""
        if self.file_type == "vcf":
            yield from _vcard_rows(self)
            return
        raw = _xlsx_raw_rows(self) if self.file_type == "xlsx" else _csv_raw_rows(self)
        width = len(self.columns)
        limit = max_rows()
        for number, cells in enumerate(_skip(raw, self.header_row), start=1):
            if number > limit:
                raise refuse(
                    _("The file has more than %(n)d rows: split it into several files.", n=limit)
                )
            if not any(cells):
                continue
            cells = (cells + [""] * width)[:width] if len(cells) != width else cells
            yield Row(number, cells)


def _skip(rows: Iterator[list[str]], header_row: int) -> Iterator[list[str]]:
    for _n in range(header_row):
        if next(rows, None) is None:
            return
    yield from rows


# Opening ------------------------------------------------------------------------------------------


def open_table(
    data: bytes, filename: str, *, sheet: str | None = None, header_row: int | None = None
) -> Table:
    """The file's table, with its header at `header_row` (1-based; guessed when None: a title
    row above the header is common) on `sheet` (XLSX; the first sheet when None). Raises
    ValidationFailed on `file` for an empty, binary, unreadable or wrongly named file."""
    if not data.strip():
        raise refuse(_("The file is empty."))
    extension = os.path.splitext(filename or "")[1].lower()
    if extension in VCARD_TYPES:
        return _vcard_table(data)
    if extension in XLSX_TYPES or data.startswith(ZIP_MAGIC):  # the content decides, not the name
        table = _xlsx_table(data, sheet)
    elif extension in OLD_EXCEL or data.startswith(OLE_MAGIC):
        raise refuse(
            _(
                "This is an old Excel or other spreadsheet file: save it as .xlsx or CSV "
                "and upload that."
            )
        )
    elif extension in CSV_TYPES:
        table = _csv_table(data)
    else:
        raise refuse(_("Upload a CSV, Excel (.xlsx) or vCard (.vcf) file."))
    raw = _xlsx_raw_rows(table) if table.file_type == "xlsx" else _csv_raw_rows(table)
    top = [cells for _n, cells in zip(range(HEADER_SCAN_ROWS), raw, strict=False)]
    if not any(any(cells) for cells in top):
        raise refuse(_("The file has no header row: the first rows are empty."))
    table.header_row = header_row if header_row is not None else guess_header(top)
    if not 1 <= table.header_row <= len(top):
        raise refuse(_("The header row must be one of the first %(n)d rows.", n=len(top)))
    table.columns = _names(top[table.header_row - 1])
    return table


def guess_header(top: list[list[str]]) -> int:
    """The header is the first row that names most columns: a title row above it ("2026 客户
    名单") fills one cell, the header fills most of them."""
    from salesflow.imports.mapping import known_headers

    widest = max(sum(1 for c in cells if c) for cells in top)
    for number, cells in enumerate(top, start=1):
        filled = [c for c in cells if c]
        if known_headers(filled) >= 2 or (len(filled) >= max(2, widest * 0.6)):
            return number
    return 1


def _names(cells: list[str]) -> list[str]:
    """Column names from the header cells: blank ones named by position, repeats numbered, so
    each column has a name a mapping can refer to."""
    names: list[str] = []
    while cells and not cells[-1]:
        cells = cells[:-1]
    for position, cell in enumerate(cells, start=1):
        name = " ".join(cell.split())[:200] or _("Column %(n)d", n=position)
        candidate, repeat = name, 2
        while candidate in names:
            candidate, repeat = f"{name} ({repeat})", repeat + 1
        names.append(candidate)
    if not names:
        raise refuse(_("The header row is empty."))
    return names


# CSV ----------------------------------------------------------------------------------------------


def detect_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else GB18030 — the superset of GBK and
    GB2312 that Chinese Excel writes. Each candidate is checked over the whole file a chunk at a
    time (no second copy of the text). A file none of them reads, or with NUL bytes, is
    binary."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in data[:SNIFF_BYTES] or data.startswith((ZIP_MAGIC, OLE_MAGIC)):
        raise refuse(_("This is not a text file: upload a CSV, Excel (.xlsx) or vCard file."))
    for encoding in ("utf-8", "gb18030"):
        if _decodes(data, encoding):
            return encoding
    raise refuse(_("The file's characters cannot be read: save it as CSV UTF-8 and upload again."))


def _decodes(data: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(data)
    try:
        for start in range(0, len(data), 1 << 20):
            text = decoder.decode(view[start : start + (1 << 20)])
            if "\x00" in text:
                return False
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _csv_table(data: bytes) -> Table:
    encoding = detect_encoding(data)
    sample = data[:SNIFF_BYTES].decode(encoding, errors="ignore")
    delimiter = "\t" if encoding == "utf-16" else _delimiter(sample)
    return Table(data=data, file_type="csv", encoding=encoding, delimiter=delimiter)


def _delimiter(sample: str) -> str:
    """The separator the header line uses most: comma unless semicolons (European Excel), tabs
    or bars split it more (a title row above the header is one cell: the next line decides)."""
    lines = [line for line in sample.splitlines()[:HEADER_SCAN_ROWS] if line.strip()]
    best, best_count = ",", 0
    for line in lines:
        for delimiter in (",", ";", "\t", "|"):
            if line.count(delimiter) > best_count:
                best, best_count = delimiter, line.count(delimiter)
        if best_count >= 2:
            break
    return best


def _unescaped(cell: str) -> str:
    """An error file escapes cells a spreadsheet would run ("'=…", "'+86…"): read back, the
    apostrophe goes again."""
    if cell[:1] == "'" and cell[1:2] in FORMULA_START:
        return cell[1:]
    return cell


def _csv_raw_rows(table: Table) -> Iterator[list[str]]:
    text = io.TextIOWrapper(io.BytesIO(table.data), encoding=table.encoding, newline="")
    reader = csv.reader(text, delimiter=table.delimiter)
    try:
        for cells in reader:
            if len(cells) > MAX_COLUMNS:
                raise refuse(
                    _(
                        "The file has %(n)d columns; at most %(max)d can be imported.",
                        n=len(cells),
                        max=MAX_COLUMNS,
                    )
                )
            yield [_unescaped(cell.strip()) for cell in cells]
    except csv.Error as error:
        raise refuse(
            _(
                "Line %(line)d cannot be read as CSV (%(problem)s).",
                line=reader.line_num,
                problem=str(error),
            )
        ) from None


# XLSX ---------------------------------------------------------------------------------------------


def _workbook(data: bytes) -> Any:
    import openpyxl  # defusedxml is installed: openpyxl parses through it

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        current_app.logger.info("unreadable xlsx: %r", error)
        raise refuse(
            _(
                "This Excel file cannot be read: open it in Excel, save it as .xlsx "
                "again and upload that."
            )
        ) from None
    except Exception as error:  # openpyxl raises its own kinds for broken parts
        current_app.logger.info("unreadable xlsx: %r", error)
        raise refuse(
            _(
                "This Excel file cannot be read: open it in Excel, save it as .xlsx "
                "again and upload that."
            )
        ) from None


def _xlsx_table(data: bytes, sheet: str | None) -> Table:
    workbook = _workbook(data)
    try:
        names = list(workbook.sheetnames)
    finally:
        workbook.close()
    if not names:
        raise refuse(_("The Excel file has no sheets."))
    if sheet is not None and sheet not in names:
        raise ValidationFailed(
            fields={"sheet": [_("The file has no sheet called %(name)s.", name=sheet)]}
        )
    return Table(data=data, file_type="xlsx", sheets=names, sheet=sheet or names[0])


def cell_text(value: Any) -> str:
    """An Excel cell as the text a person sees: whole numbers without ".0" (a phone number typed
    as a number), dates as YYYY-MM-DD, date-times as YYYY-MM-DD HH:MM."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        if value.time() == time():
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value).strip()


def _xlsx_raw_rows(table: Table) -> Iterator[list[str]]:
    workbook = _workbook(table.data)
    try:
        sheet = workbook[table.sheet]
        try:
            for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
                if len(values) > MAX_COLUMNS and values[MAX_COLUMNS] is not None:
                    raise refuse(
                        _(
                            "The file has more than %(max)d columns; at most %(max)d can "
                            "be imported.",
                            max=MAX_COLUMNS,
                        )
                    )
                yield [cell_text(v)[:MAX_CELL] for v in values[:MAX_COLUMNS]]
        except ValidationFailed:
            raise
        except Exception as error:  # a broken sheet part, seen only while reading it
            current_app.logger.info("unreadable xlsx sheet: %r", error)
            raise refuse(
                _(
                    "This Excel file cannot be read: open it in Excel, save it as .xlsx "
                    "again and upload that."
                )
            ) from None
    finally:
        workbook.close()


# vCard --------------------------------------------------------------------------------------------


def _vcard_module() -> Any:
    try:
        from salesflow.imports import vcard
    except ImportError:  # the vCard reader ships separately
        raise refuse(_("vCard files cannot be imported yet.")) from None
    return vcard


def _vcard_table(data: bytes) -> Table:
    vcard = _vcard_module()
    columns, rows = vcard.read_vcards(data)
    rows.close() if hasattr(rows, "close") else None
    if not columns:
        raise refuse(_("The vCard file has no cards with a name, phone or e-mail."))
    return Table(data=data, file_type="vcf", encoding="utf-8", columns=list(columns))


def _vcard_rows(table: Table) -> Iterator[Row]:
    vcard = _vcard_module()
    _columns, cards = vcard.read_vcards(table.data)
    limit = max_rows()
    for number, card in enumerate(cards, start=1):
        if number > limit:
            raise refuse(
                _("The file has more than %(n)d rows: split it into several files.", n=limit)
            )
        yield Row(number, [card.get(c) or "" for c in table.columns], card.get(vcard.ROW_ERROR))
