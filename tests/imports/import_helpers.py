"""Helpers of the import tests: the real-shaped files, CSV built in a line, an import run."""

import csv
import io
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.imports import runner, services
from salesflow.imports.models import Import, ImportRow

FILES = Path(__file__).resolve().parent / "files"


def file(name: str) -> bytes:
    return (FILES / name).read_bytes()


def csv_bytes(header: list[str], *rows: list[Any], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def dry_run(
    data: bytes, actor: Any, now: Any, *, filename: str = "file.csv", **params: Any
) -> Import:
    return services.start_import(data, filename, params, actor=actor, now=now)


def commit(imp: Import, actor: Any, now: Any) -> Import:
    return runner.commit(imp, actor=actor, now=now)


def rows(imp: Import) -> dict[int, ImportRow]:
    found = db.session.scalars(sa.select(ImportRow).where(ImportRow.import_id == imp.id))
    return {r.row: r for r in found}


def outcomes(imp: Import) -> dict[int, str]:
    return {n: r.outcome.value for n, r in sorted(rows(imp).items())}


def messages(row: ImportRow) -> str:
    return " ".join(m for ms in (row.errors or {}).values() for m in ms)


def multipart(form: dict[str, str], data: bytes, filename: str) -> dict[str, Any]:
    """The keyword arguments of a test client upload with the body built here: the test client
    spools a big body to a temporary file it never closes (a ResourceWarning the suite fails on)."""
    boundary = "salesflow-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in form.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
    )
    body = b"".join(parts) + data + f"\r\n--{boundary}--\r\n".encode()
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}
