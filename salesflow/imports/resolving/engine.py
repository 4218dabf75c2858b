"""The dry run and the commit are one run over the file, which writes the records only when
committing — so the dry run shows exactly what the commit will do.

1. First pass (streamed): each row's keys — its account, e-mail, phone, external id, the name it
   reports to. The kind then matches every row set-wise against the records the importer may
   see, finds rows repeating an earlier one, and links rows that name another row of the same
   file (a boss, a parent account): such a row is written one level later, after the row it
   needs, so the order of the rows in the file never matters; a loop of such rows is an error.
2. Then level by level, a chunk of rows at a time (streamed again): each row's outcome (create,
   update, unchanged, skip, error with the field and a translated message) from the same checks
   the domain services make; a commit then writes the chunk — one savepoint for the chunk and,
   if the database refuses it, one savepoint per row (db.session.begin_nested), so one bad row
   never fails the others — and the outcomes are recorded as ImportRows.
"""

import gc
from collections import Counter
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from salesflow.audit.services import _plain
from salesflow.db import insert_many
from salesflow.extensions import db
from salesflow.imports.models import Import, ImportKey, ImportRow, Outcome
from salesflow.imports.reading import Row, Table
from salesflow.imports.resolving.base import IMPORT_FIELDS, KINDS, Cells, Context, Planned, Result
from salesflow.ties import touches
from salesflow.validation import add

CHUNK = 2000
Checkpoint = Callable[[float], None]


def cells_of(row: Row, positions: list[tuple[int, str]]) -> Cells:
    values = {name: row.cells[i].strip() for i, name in positions if i < len(row.cells)}
    return Cells(row.number, row.cells, values, row.problem)


def positions_of(imp: Import, table: Table) -> list[tuple[int, str]]:
    index = {column: i for i, column in enumerate(table.columns)}
    return [(index[c], f) for c, f in imp.mapping.items() if c in index and f]


def run(
    imp: Import, table: Table, ctx: Context, *, checkpoint: Checkpoint | None = None
) -> dict[str, int]:
    """Every row's outcome, recorded as the import's rows (replacing earlier ones); written to
    the records when `ctx.commit`. Returns the counts per outcome."""
    kind = KINDS[imp.kind.value](ctx)
    positions = positions_of(imp, table)
    planned: dict[int, Planned] = {}
    # The lookups, the plan and the keys of the records matched against (hundreds of thousands
    # of objects) live until the end: frozen as they are made, Python's garbage collector stops
    # walking them again and again (it took half the time of a 100,000-row commit).
    gc.freeze()
    try:
        for row in table.rows():
            cells = cells_of(row, positions)
            planned[row.number] = kind.identify(cells)
            if cells.problem:
                planned[row.number].error("row", cells.problem)
        gc.freeze()
        kind.plan(planned)
        gc.freeze()
        return _levels_in_chunks(imp, table, ctx, kind, planned, positions, checkpoint)
    finally:
        gc.unfreeze()


def _levels_in_chunks(
    imp: Import,
    table: Table,
    ctx: Context,
    kind: Any,
    planned: dict[int, Planned],
    positions: list[tuple[int, str]],
    checkpoint: Checkpoint | None,
) -> dict[str, int]:
    top = _levels(planned, kind.DEPENDS)
    needed = {p.depends_on for p in planned.values() if p.depends_on is not None}
    db.session.execute(sa.delete(ImportRow).where(ImportRow.import_id == imp.id))
    counts: Counter[str] = Counter({outcome.value: 0 for outcome in Outcome})
    done, total = 0, len(planned) or 1
    for level in range(top + 1):
        chunk: list[tuple[Cells, Planned]] = []
        for row in table.rows():
            found = planned.get(row.number)
            if found is not None and found.level == level:
                chunk.append((cells_of(row, positions), found))
            if len(chunk) >= CHUNK:
                done += _chunk(ctx, kind, chunk, needed, counts)
                chunk = []
                if checkpoint:
                    checkpoint(done / total)
        if chunk:
            done += _chunk(ctx, kind, chunk, needed, counts)
            if checkpoint:
                checkpoint(done / total)
    imp.total_rows = len(planned)
    return dict(counts)


def _levels(planned: dict[int, Planned], field: str) -> int:
    """Each row's level: one more than the row it needs. Rows that need each other in a loop
    (A reports to B, B to A, both new) are errors. Returns the highest level."""
    top = 0
    for start in planned.values():
        chain: list[Planned] = []
        current: Planned | None = start
        while current is not None and current.depends_on is not None and current.level == 0:
            if current in chain:
                for looped in chain[chain.index(current) :]:
                    looped.error(field, _l("The rows name each other in a loop."))
                    looped.depends_on = None
                break
            chain.append(current)
            current = planned.get(current.depends_on)
        base = current.level if current is not None and current not in chain else 0
        for depth, row in enumerate(reversed(chain), start=1):
            if row.depends_on is not None:
                row.level = base + depth
                top = max(top, row.level)
    return top


def _chunk(
    ctx: Context,
    kind: Any,
    chunk: list[tuple[Cells, Planned]],
    needed: set[int],
    counts: Counter[str],
) -> int:
    """Resolve (and, committing, write) one chunk, and record its rows."""
    results: list[Result | None] = [None] * len(chunk)
    todo = []
    for i, (_cells, planned) in enumerate(chunk):
        _needs(ctx, planned, kind.DEPENDS)
        if planned.errors:
            results[i] = Result(Outcome.error, errors=planned.errors, notes=planned.notes)
        else:
            todo.append(i)
    if todo:
        resolved = kind.resolve([chunk[i] for i in todo])
        for i, result in zip(todo, resolved, strict=True):
            results[i] = result
    final: list[Result] = [r for r in results if r is not None]
    if ctx.commit:
        # the chunk's changes to the relationship figures followed once, not once a row
        with touches.together(now=ctx.now):
            kind.write([(chunk[i], final[i]) for i in range(len(chunk))])
        _remember_keys(ctx, final)
    rows = []
    for (cells, planned), result in zip(chunk, final, strict=True):
        counts[result.outcome.value] += 1
        if planned.number in needed:
            ctx.written[planned.number] = result
        rows.append(_import_row(ctx.imp.id, cells, result))
    insert_many(db.session, ImportRow.__table__, rows)
    return len(chunk)


def _needs(ctx: Context, planned: Planned, field: str) -> None:
    """A row whose boss (or parent) is another row of the file fails with that row."""
    if planned.depends_on is None or planned.errors:
        return
    other = ctx.written.get(planned.depends_on)
    if other is None or other.outcome == Outcome.error:
        planned.error(
            field, _l("Row %(n)d, which this row refers to, has errors.", n=planned.depends_on)
        )
    elif ctx.commit and other.record_id is None:
        planned.error(
            field,
            _l("Row %(n)d, which this row refers to, could not be saved.", n=planned.depends_on),
        )


def _import_row(import_id: int, cells: Cells, result: Result) -> dict[str, Any]:
    failed = result.outcome == Outcome.error
    return {
        "import_id": import_id,
        "row": cells.number,
        "outcome": result.outcome,
        "record_id": result.record_id,
        "matched_by": result.matched_by,
        "errors": result.errors or None,
        "notes": result.notes or None,
        "values": list(cells.raw) if failed else None,
        "before": {k: _plain(v) for k, v in result.before.items()} if result.before else None,
        "after_version": result.after_version,
        "linked": result.linked,
    }


def _remember_keys(ctx: Context, results: list[Result]) -> None:
    """The source's ids of the records the chunk created or matched, for the next file."""
    new, moved = [], []
    for result in results:
        ext, record_id = result.external_id, result.record_id
        if not ext or record_id is None or result.outcome == Outcome.error:
            continue
        if ext not in ctx.keys:
            new.append(
                {
                    "source": ctx.imp.source,
                    "kind": ctx.imp.kind.value,
                    "external_id": ext,
                    "record_id": record_id,
                    "import_id": ctx.imp.id,
                }
            )
        elif ctx.keys[ext] != record_id:  # the record it named is gone: it names this one now
            moved.append((ext, record_id))
        ctx.keys[ext] = record_id
    if new:
        db.session.execute(sa.insert(ImportKey.__table__), new)
    for ext, record_id in moved:
        db.session.execute(
            sa.update(ImportKey)
            .where(
                ImportKey.source == ctx.imp.source,
                ImportKey.kind == ctx.imp.kind.value,
                ImportKey.external_id == ext,
            )
            .values(record_id=record_id, import_id=ctx.imp.id)
        )


def failed(result: Result, error: Exception, messages: Any = None) -> None:
    """A row the database or a service refused at the commit: an error row with the reasons."""
    from salesflow.errors import AppError

    result.outcome, result.record_id = Outcome.error, None
    result.errors = result.errors or {}
    if isinstance(error, AppError) and error.fields:
        for name, texts in error.fields.items():
            for text in texts:
                add(result.errors, IMPORT_FIELDS.get(name, name), text)
    else:
        add(
            result.errors,
            "row",
            messages or getattr(error, "message", None) or _l("The database refused this row."),
        )
