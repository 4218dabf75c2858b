"""What the import page shows, computed here so the template only renders (STYLE.md rule 15):
the counts per outcome with their filter links, a page of rows with the record each one made or
matched and its messages in words, the mapping with sample values, and what undo would do."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from salesflow import scope
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.extensions import db
from salesflow.forms import ButtonForm
from salesflow.imports import runner, services
from salesflow.imports.forms import OUTCOME_LABELS, MappingForm, UndoForm
from salesflow.imports.mapping import FIELDS, REQUIRED
from salesflow.imports.models import OUTCOMES, Import, ImportFile, ImportRow, ImportStatus
from salesflow.imports.reading import open_table
from salesflow.interactions.models import Interaction
from salesflow.opportunities.models import Opportunity

PAGE = 50
SAMPLES = 3
RECORDS: dict[str, tuple[Any, Any, str]] = {
    "accounts": (Account, Account.name, "accounts.detail"),
    "contacts": (Contact, Contact.name, "contacts.detail"),
    "interactions": (Interaction, Interaction.summary, "interactions.detail"),
    "opportunities": (Opportunity, Opportunity.name, "opportunities.detail"),
}
ARGS = {
    "accounts": "account_id",
    "contacts": "contact_id",
    "interactions": "interaction_id",
    "opportunities": "opportunity_id",
}
MATCHED = {
    "external_id": _l("by its id in the source"),
    "email": _l("by e-mail"),
    "phone": _l("by phone"),
    "domain": _l("by website"),
    "name": _l("by name"),
    "same": _l("the same entry"),
}


@dataclass
class Count:
    outcome: str
    label: Any
    number: int
    url: str
    active: bool


@dataclass
class Line:
    row: ImportRow
    outcome: Any = None  # the row's outcome in words
    name: str | None = None
    url: str | None = None
    matched: Any = None
    errors: list[tuple[Any, str]] = field(default_factory=list)
    notes: list[tuple[Any, str]] = field(default_factory=list)


@dataclass
class Page:
    imp: Import
    status: str
    counts: list[Count]
    lines: list[Line]
    outcome: str | None
    next_url: str | None
    form: MappingForm | None = None
    samples: dict[str, list[str]] = field(default_factory=dict)
    missing: list[Any] = field(default_factory=list)
    can_commit: bool = False
    can_undo: bool = False
    undo_until: datetime | None = None
    continues: Import | None = None
    continued_by: list[Import] = field(default_factory=list)
    button_form: ButtonForm = field(default_factory=ButtonForm)
    undo_form: UndoForm = field(default_factory=UndoForm)

    @property
    def errors(self) -> int:
        return int(self.imp.counts.get("error", 0))

    @property
    def to_delete(self) -> int:
        return int(self.imp.counts.get("create", 0))

    @property
    def to_restore(self) -> int:
        return int(self.imp.counts.get("update", 0))


def _label(imp: Import, name: str) -> Any:
    """A field in words: its label, or the column that holds it."""
    labels = FIELDS[imp.kind.value]
    if name in labels:
        return labels[name]
    return {"row": _l("Row"), "file": _l("File")}.get(name, name)


def _lines(imp: Import, rows: list[ImportRow]) -> list[Line]:
    model, title, endpoint = RECORDS[imp.kind.value]
    ids = {r.record_id for r in rows if r.record_id}
    found = db.session.execute(sa.select(model.id, title).where(model.id.in_(ids)))
    names = {record_id: name for record_id, name in found}
    lines = []
    for row in rows:
        line = Line(
            row, OUTCOME_LABELS[row.outcome.value], matched=MATCHED.get(row.matched_by or "")
        )
        if row.record_id and row.record_id in names:
            line.name = str(names[row.record_id])[:80]
            line.url = url_for(endpoint, **{ARGS[imp.kind.value]: row.record_id})
        for target, source in ((line.errors, row.errors), (line.notes, row.notes)):
            for name, messages in (source or {}).items():
                target.extend((_label(imp, name), m) for m in messages)
        lines.append(line)
    return lines


def _samples(imp: Import) -> dict[str, list[str]]:
    """The first few values of each column, to map them knowing what they hold."""
    stored = db.session.get(ImportFile, imp.id)
    if stored is None:
        return {}
    table = open_table(stored.data, imp.filename, sheet=imp.sheet, header_row=imp.header_row)
    samples: dict[str, list[str]] = {c: [] for c in table.columns}
    for number, row in enumerate(table.rows()):
        if number >= SAMPLES:
            break
        for column, value in zip(table.columns, row.cells, strict=False):
            if value:
                samples[column].append(value[:60])
    return samples


def build(
    imp: Import,
    user: User,
    now: datetime,
    *,
    outcome: str | None,
    after: int | None,
    form: MappingForm | None = None,
) -> Page:
    """Everything the import page shows, as of `now`."""
    outcome = outcome if outcome in OUTCOMES else None
    query = services.rows_query(imp, outcome)
    if after:
        query = query.where(ImportRow.row > after)
    rows = list(db.session.scalars(query.order_by(ImportRow.row).limit(PAGE + 1)))
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    counts = [
        Count(
            o,
            OUTCOME_LABELS[o],
            int(imp.counts.get(o, 0)),
            url_for("imports.detail", import_id=imp.id, outcome=o) + "#rows",
            o == outcome,
        )
        for o in OUTCOMES
    ]
    page = Page(
        imp=imp,
        status=runner.shown_status(imp, now),
        counts=counts,
        lines=_lines(imp, rows),
        outcome=outcome,
        next_url=url_for("imports.detail", import_id=imp.id, outcome=outcome, after=rows[-1].row)
        + "#rows"
        if more
        else None,
        continues=imp.continues,
        continued_by=list(
            db.session.scalars(
                sa.select(Import).where(Import.continues_id == imp.id).order_by(Import.id)
            )
        ),
    )
    if imp.status == ImportStatus.previewed and imp.created_by_id == user.id:
        page.form = form
        page.samples = _samples(imp)
        wanted = [
            n
            for n in REQUIRED[imp.kind.value]
            if not (n == "account" and imp.account_id is not None)
        ]
        page.missing = [FIELDS[imp.kind.value][n] for n in wanted if n not in imp.mapping.values()]
        page.can_commit = not page.missing and bool(imp.counts)
    if page.status in (ImportStatus.committed.value, ImportStatus.failed.value):
        page.undo_until = services.undo_deadline(imp)
        page.can_undo = (
            scope.can_undo_import(user, imp.created_by)
            and page.undo_until is not None
            and now <= page.undo_until
        )
    return page
