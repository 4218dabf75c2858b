"""The journal of a merge: every row it repointed, dropped or rewrote, with what it was before, so
an undo puts each back exactly. Set-wise: one UPDATE per old value, never one per row.

A row that changed after the merge (no longer pointing at the survivor, a rewritten value changed
again) is left as it is found and counted as kept: the later edit wins, as with an import's undo.
Versioned rows get a new version (and `updated_at`) both ways, so a form opened before either
step is refused as stale instead of writing over it.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa

from salesflow.extensions import db

CHUNK = 5000  # ids per IN (…), within every engine's limit of bound parameters
# Tables whose rows are records with a history (audit entries); attendance is the interaction's.
RECORDS = {"accounts", "contacts", "interactions", "opportunities"}
Audits = list[tuple[str, int, dict[str, list[Any]]]]  # (table, id, {field: [old, new]})


def _table(name: str) -> sa.Table:
    return db.metadata.tables[name]


def chunks(ids: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def plain(value: Any) -> Any:
    """A column value as JSON holds it (as the audit trail writes it)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def python_value(column: sa.Column[Any], value: Any) -> Any:
    """A JSON value back as the column's Python value (vocabulary, dates, times, amounts)."""
    if value is None or isinstance(column.type, sa.JSON):
        return value
    if (enum_class := getattr(column.type, "enum_class", None)) is not None:
        return enum_class(value)
    python_type = column.type.python_type
    if python_type is datetime:
        return datetime.fromisoformat(value)
    if python_type is date:
        return date.fromisoformat(value)
    if python_type is Decimal:
        return Decimal(value)
    return value


def bump(table_name: str, ids: Iterable[int], now: datetime) -> None:
    """A new version for rows whose related rows changed (an interaction's attendees)."""
    table, ids = _table(table_name), sorted(set(ids))
    for chunk in chunks(ids):
        db.session.execute(
            sa.update(table)
            .where(table.c.id.in_(chunk))
            .values(version=table.c.version + 1, updated_at=now)
        )


class Journal:
    """Operations in the order they were made (`ops`), each undone in reverse order."""

    def __init__(self, survivor_id: int, now: datetime, ops: list[dict[str, Any]] | None = None):
        self.survivor_id = survivor_id
        self.now = now
        self.ops: list[dict[str, Any]] = ops if ops is not None else []
        self.restored = 0
        self.kept = 0
        self._back: list[tuple[str, str, Any, Any]] = []  # moved back: table, column, key, old
        self._reinserted: list[tuple[str, dict[str, Any]]] = []

    # The merge ------------------------------------------------------------------------------

    def move(self, table: str, column: str, key: str, rows: Iterable[tuple[Any, Any]]) -> int:
        """Point `column` of each row (found by its `key` column) at the survivor, remembering
        its old value: rows are (key value, old value). Returns how many moved."""
        rows = [[k, old] for k, old in rows]
        if rows:
            self._set(
                table, column, key, rows, to=lambda _old: self.survivor_id, where=lambda old: old
            )
            self.ops.append(
                {"op": "move", "table": table, "column": column, "key": key, "rows": rows}
            )
        return len(rows)

    def remove(self, table: str, rows: list[dict[str, Any]]) -> int:
        """Delete rows the survivor already has the like of, remembering each whole."""
        if rows:
            t = _table(table)
            for row in rows:
                db.session.execute(sa.delete(t).where(*self._key(t, row)))
            plain_rows = [{k: plain(v) for k, v in r.items()} for r in rows]
            self.ops.append({"op": "remove", "table": table, "rows": plain_rows})
        return len(rows)

    def rewrite(self, table: str, where: dict[str, Any], column: str, old: Any, new: Any) -> None:
        """Change one row's value (a JSON list or object), remembering before and after."""
        t = _table(table)
        db.session.execute(
            sa.update(t).where(*(t.c[k] == v for k, v in where.items())).values({column: new})
        )
        self.ops.append(
            {
                "op": "rewrite",
                "table": table,
                "where": where,
                "column": column,
                "old": old,
                "new": new,
            }
        )

    # The undo -------------------------------------------------------------------------------

    def undo(self) -> None:
        """Put back every row the merge changed, newest operation first; count what is kept."""
        for op in reversed(self.ops):
            getattr(self, f"_undo_{op['op']}")(op)

    def _undo_move(self, op: dict[str, Any]) -> None:
        table = _table(op["table"])
        key, column = table.c[op["key"]], table.c[op["column"]]
        keys = [k for k, _old in op["rows"]]
        still: set[Any] = set()
        for chunk in chunks(keys):
            still.update(
                db.session.scalars(sa.select(key).where(key.in_(chunk), column == self.survivor_id))
            )
        rows = [[k, old] for k, old in op["rows"] if k in still]
        self._set(
            op["table"],
            op["column"],
            op["key"],
            rows,
            to=lambda old: old,
            where=lambda _old: self.survivor_id,
        )
        self.restored += len(rows)
        self.kept += len(keys) - len(rows)
        self._back += [(op["table"], op["column"], k, old) for k, old in rows]

    def _undo_remove(self, op: dict[str, Any]) -> None:
        table = _table(op["table"])
        for plain in op["rows"]:
            row = {name: python_value(table.c[name], value) for name, value in plain.items()}
            exists = db.session.scalar(
                sa.select(sa.func.count()).select_from(table).where(*self._key(table, row))
            )
            if exists:
                self.kept += 1
            else:
                db.session.execute(sa.insert(table).values(row))
                self.restored += 1
                self._reinserted.append((op["table"], row))

    def _undo_rewrite(self, op: dict[str, Any]) -> None:
        table = _table(op["table"])
        where = [table.c[k] == v for k, v in op["where"].items()]
        current = db.session.scalar(sa.select(table.c[op["column"]]).where(*where))
        if current == op["new"]:
            db.session.execute(sa.update(table).where(*where).values({op["column"]: op["old"]}))
            self.restored += 1
        else:
            self.kept += 1

    @property
    def undone(self) -> Audits:
        """An audit line for each record the undo changed: a moved record's field back, and an
        interaction's attendance (the survivor → the merged contacts as they were)."""
        lines: Audits = []
        attendance: dict[int, tuple[set[int], bool]] = {}
        for table, column, key, old in self._back:
            if table in RECORDS:
                lines.append((table, key, {column: [self.survivor_id, old]}))
            elif table == "interaction_attendees":
                attendance[key] = (attendance.get(key, (set(), True))[0] | {old}, True)
        for table, row in self._reinserted:
            if table == "interaction_attendees":
                found = attendance.setdefault(row["interaction_id"], (set(), False))
                found[0].add(row["contact_id"])
        for interaction_id, (contacts, moved_back) in sorted(attendance.items()):
            after = contacts if moved_back else contacts | {self.survivor_id}
            lines.append(
                (
                    "interactions",
                    interaction_id,
                    {"contact_ids": [[self.survivor_id], sorted(after)]},
                )
            )
        return lines

    # Helpers --------------------------------------------------------------------------------

    def _set(
        self, table_name: str, column: str, key: str, rows: list[list[Any]], *, to: Any, where: Any
    ) -> None:
        """One UPDATE per old value (and chunk): `column` from where(old) to to(old)."""
        table = _table(table_name)
        by_old: dict[Any, list[Any]] = defaultdict(list)
        for k, old in rows:
            by_old[old].append(k)
        values: dict[str, Any] = {}
        if "version" in table.c:
            values = {"version": table.c.version + 1, "updated_at": self.now}
        for old, keys in by_old.items():
            for chunk in chunks(keys):
                db.session.execute(
                    sa.update(table)
                    .where(table.c[key].in_(chunk), table.c[column] == where(old))
                    .values({column: to(old), **values})
                )

    @staticmethod
    def _key(table: sa.Table, row: dict[str, Any]) -> list[sa.ColumnElement[bool]]:
        return [c == row[c.name] for c in table.primary_key.columns]
