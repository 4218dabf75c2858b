"""Helpers the kinds share: what a matched row changes in each mode, the before-image, and the
savepoints the commit writes through."""

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy.exc as sa_exc
from flask_babel import lazy_gettext as _l

from salesflow.errors import AppError
from salesflow.extensions import db
from salesflow.imports.models import ImportMode, Outcome
from salesflow.imports.resolving.base import Result
from salesflow.imports.resolving.engine import failed

# What the database or a service may refuse a row with at the commit (never a 500).
REFUSALS = (AppError, sa_exc.SQLAlchemyError)


def blank(value: Any, empty: Iterable[Any] = ()) -> bool:
    return value is None or value == "" or value in tuple(empty)


def changes_for(
    mode: ImportMode,
    record: Any,
    clean: dict[str, Any],
    empty: dict[str, tuple[Any, ...]] | None = None,
) -> dict[str, Any]:
    """The fields a matched row changes: in `fill` mode only the record's blank ones (a default
    such as "unknown" counts as blank), in `overwrite` mode every one that differs. Blank cells
    never change anything, in either mode."""
    empty = empty or {}
    changes = {}
    for name, value in clean.items():
        if blank(value):
            continue
        current = getattr(record, name)
        if mode == ImportMode.fill and not blank(current, empty.get(name, ())):
            continue
        if current != value:
            changes[name] = value
    return changes


def before_image(record: Any, changes: dict[str, Any]) -> dict[str, Any]:
    return {name: getattr(record, name) for name in changes}


def matched(result: Result, mode: ImportMode, changes: dict[str, Any], record: Any) -> Result:
    """The outcome of a row that matched `record`: skipped in create-only mode, unchanged when
    nothing would change, else an update (with the before-image for undo)."""
    if mode == ImportMode.create:
        result.outcome = Outcome.skip
        result.notes = result.notes or {}
        result.notes.setdefault("row", []).append(
            str(_l("Already in salesflow: a create-only import leaves it as it is."))
        )
    elif not changes:
        result.outcome = Outcome.unchanged
    else:
        result.outcome, result.data = Outcome.update, changes
        result.before = before_image(record, changes)
    result.record_id = record.id
    return result


def one_by_one(result: Result, write: Callable[[], Any]) -> Any:
    """Write one row in its own savepoint: refused, it becomes an error row and nothing of it
    stays; the other rows go on."""
    try:
        with db.session.begin_nested():
            return write()
    except REFUSALS as error:
        failed(result, error)
        return None


def in_one_go(
    results: list[Result], write_all: Callable[[], Any], write_one: Callable[[int], Any]
) -> None:
    """Write a chunk's rows in one savepoint; if the database or a service refuses, write them
    again one savepoint per row, so only the rows at fault fail."""
    if not results:
        return
    try:
        with db.session.begin_nested():
            write_all()
        return
    except REFUSALS:
        pass
    for i, result in enumerate(results):
        one_by_one(result, lambda i=i: write_one(i))
