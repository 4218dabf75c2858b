"""An import: the uploaded file, its mapping, one outcome per data row, and what undo needs (the
records it created, the before-images of those it changed, their version after the import)."""

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.db import TimestampMixin, str_enum
from salesflow.extensions import db


class ImportKind(StrEnum):
    """What one row of the file is."""

    accounts = "accounts"
    contacts = "contacts"
    interactions = "interactions"
    opportunities = "opportunities"


class ImportMode(StrEnum):
    """What a row that matches an existing record does to it."""

    create = "create"  # create only: a matched row is skipped
    fill = "fill"  # fill the record's blank fields (the default)
    overwrite = "overwrite"  # the file's non-blank values replace the record's


class ImportStatus(StrEnum):
    previewed = "previewed"  # the dry run is done, nothing else written
    running = "running"  # committing (see progress)
    committed = "committed"
    undone = "undone"
    failed = "failed"  # the commit stopped (its rows so far are kept and can be undone)


class Outcome(StrEnum):
    create = "create"
    update = "update"
    unchanged = "unchanged"
    skip = "skip"
    error = "error"


OUTCOMES = tuple(o.value for o in Outcome)


class Import(TimestampMixin, db.Model):
    """One uploaded file and what became of it."""

    __tablename__ = "imports"
    __table_args__ = (sa.Index("ix_imports_created_by_id_id", "created_by_id", "id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[ImportKind] = so.mapped_column(str_enum(ImportKind))
    mode: so.Mapped[ImportMode] = so.mapped_column(str_enum(ImportMode), default=ImportMode.fill)
    status: so.Mapped[ImportStatus] = so.mapped_column(
        str_enum(ImportStatus), default=ImportStatus.previewed
    )
    progress: so.Mapped[float] = so.mapped_column(default=0.0)
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    filename: so.Mapped[str] = so.mapped_column(sa.String(255))
    file_type: so.Mapped[str] = so.mapped_column(sa.String(10))  # csv, xlsx, vcf
    encoding: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    sheet: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    sheets: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    header_row: so.Mapped[int] = so.mapped_column(default=1)
    columns: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    mapping: so.Mapped[dict[str, str]] = so.mapped_column(sa.JSON, default=dict)
    # Whose external ids the file's `external_id` column holds (ImportKey).
    source: so.Mapped[str] = so.mapped_column(sa.String(120))
    # vCards into one account (API.md): every row's account.
    account_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("accounts.id"))
    # A fixed error file continues the import whose error rows it holds.
    continues_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("imports.id"), index=True)
    total_rows: so.Mapped[int] = so.mapped_column(default=0)
    counts: so.Mapped[dict[str, int]] = so.mapped_column(sa.JSON, default=dict)
    committed_at: so.Mapped[datetime | None]
    # The last sign of life of a running commit: one that stops answering was interrupted.
    heartbeat_at: so.Mapped[datetime | None]
    undone_at: so.Mapped[datetime | None]
    undo_counts: so.Mapped[dict[str, int] | None] = so.mapped_column(sa.JSON)
    # Why the commit failed (for the people reading the import, in the importer's words).
    failure: so.Mapped[str | None] = so.mapped_column(sa.Text)

    created_by: so.Mapped["User"] = so.relationship()  # noqa: F821
    account: so.Mapped["Account | None"] = so.relationship()  # noqa: F821
    continues: so.Mapped["Import | None"] = so.relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Import {self.id} {self.kind} {self.status}>"


class ImportFile(db.Model):
    """The uploaded bytes, kept in the database (every app server sees them) until the commit
    has read them again; a row of its own so listing imports never loads a file."""

    __tablename__ = "import_files"

    import_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("imports.id"), primary_key=True)
    data: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)


class ImportRow(db.Model):
    """The outcome of one data row: in the dry run what would happen, after the commit what did.
    `values` keeps the cells of a failed row as uploaded (the error file); `before` the fields a
    changed record had, and `after_version` its version right after the import (undo restores
    only records nobody has changed since)."""

    __tablename__ = "import_rows"
    __table_args__ = (sa.Index("ix_import_rows_import_id_outcome", "import_id", "outcome", "row"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    import_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("imports.id"))
    row: so.Mapped[int]  # 1-based data row (the first row below the header is 1)
    outcome: so.Mapped[Outcome] = so.mapped_column(str_enum(Outcome))
    record_id: so.Mapped[int | None]
    matched_by: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    errors: so.Mapped[dict[str, list[str]] | None] = so.mapped_column(sa.JSON(none_as_null=True))
    # Things worth knowing that are not errors: a possible duplicate, a value left as it was.
    notes: so.Mapped[dict[str, list[str]] | None] = so.mapped_column(sa.JSON(none_as_null=True))
    values: so.Mapped[list[Any] | None] = so.mapped_column(sa.JSON(none_as_null=True))
    before: so.Mapped[dict[str, Any] | None] = so.mapped_column(sa.JSON(none_as_null=True))
    after_version: so.Mapped[int | None]
    # Records made along with the row's own (a contact's "known by" interaction): [[table, id]].
    linked: so.Mapped[list[list[Any]] | None] = so.mapped_column(sa.JSON(none_as_null=True))
    # What the undo did with the row's record: reversed, kept (changed since) or failed.
    undo: so.Mapped[str | None] = so.mapped_column(sa.String(10))


class ImportKey(db.Model):
    """A source's own id of a record (its `external_id`), remembered so the next file from that
    source updates the same record whatever else changed in it."""

    __tablename__ = "import_keys"
    __table_args__ = (sa.UniqueConstraint("source", "kind", "external_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    source: so.Mapped[str] = so.mapped_column(sa.String(120))
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    external_id: so.Mapped[str] = so.mapped_column(sa.String(200))
    record_id: so.Mapped[int]
    # The import that first linked it (undoing that import forgets it again).
    import_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("imports.id"), index=True)


class ImportMapping(db.Model):
    """The mapping last used for a set of headers, offered again for the next file like it."""

    __tablename__ = "import_mappings"
    __table_args__ = (sa.UniqueConstraint("kind", "header_key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    header_key: so.Mapped[str] = so.mapped_column(sa.String(64))
    mapping: so.Mapped[dict[str, str]] = so.mapped_column(sa.JSON, default=dict)
    updated_at: so.Mapped[datetime]
