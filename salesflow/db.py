"""The declarative base, portable column types and the mixins every record uses."""

import json
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow import clock

# One naming convention so constraint names agree on SQLite and PostgreSQL (STYLE.md rule 3).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both engines (SQLite keeps no offset)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Money(sa.types.TypeDecorator[Decimal]):
    """An amount in cents, Numeric(precision, 2), rounded to the cent half up as it is written:
    PostgreSQL would round it so, while SQLite keeps whatever number it is given (as floating
    point) — so both engines hold the same amount, and SQL sums what Python reads."""

    impl = sa.Numeric
    cache_ok = True

    def __init__(self, precision: int) -> None:
        super().__init__(precision, 2)

    def process_bind_param(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)


class Base(so.DeclarativeBase):
    registry = so.registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


def _now() -> datetime:
    return clock.now()


class TimestampMixin:
    created_at: so.Mapped[datetime] = so.mapped_column(default=_now)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=_now, onupdate=_now)


class SoftDeleteMixin:
    """Records are never hard-deleted by people; they are marked and can be restored."""

    deleted_at: so.Mapped[datetime | None] = so.mapped_column(index=True)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class VersionMixin:
    """Optimistic concurrency: a stale `version` from a form or client is a 409, never a
    silent overwrite."""

    version: so.Mapped[int] = so.mapped_column(default=1)

    @so.declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


def str_enum(enum_cls: type) -> sa.Enum:
    """A StrEnum stored as its plain string value, portable across both engines."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=24,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def _writing() -> bool:
    """Whether the current unit of work may write: any request but a read, and all CLI/job work."""
    from flask import has_request_context, request

    return not has_request_context() or request.method not in {"GET", "HEAD", "OPTIONS"}


@sa.event.listens_for(sa.engine.Engine, "do_connect")
def _postgresql_options(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
    """PostgreSQL without its JIT compiler: compiling the reports' large queries cost about
    250 ms each, more than it ever saves on queries of this size."""
    if dialect.name == "postgresql":
        cparams["options"] = " ".join(filter(None, [cparams.get("options"), "-c jit=off"]))


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_connect(dbapi_connection: Any, connection_record: Any) -> None:
    import sqlite3

    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy emit BEGIN itself (pysqlite's own handling breaks SAVEPOINT and
    # cannot say BEGIN IMMEDIATE).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@sa.event.listens_for(sa.engine.Engine, "begin")
def _sqlite_begin(connection: sa.Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    # Writers take the write lock up front: with deferred BEGIN, several writer processes lose
    # writes to "database is locked" even with a busy timeout (STACK.md, measured).
    connection.exec_driver_sql("BEGIN IMMEDIATE" if _writing() else "BEGIN")


def new_ids(session: Any, table: sa.Table, count: int) -> list[int]:
    """Ids for `count` new rows of `table`, so many rows go in with one plain insert (an insert
    that returns its ids in order goes row by row on SQLite): on PostgreSQL taken from the
    table's sequence; on SQLite after the highest id, which is safe because a writer holds the
    database's write lock from its first statement (BEGIN IMMEDIATE, above)."""
    if session.get_bind().dialect.name == "postgresql":
        sequence = sa.func.pg_get_serial_sequence(table.name, "id")
        return list(
            session.scalars(
                sa.select(sa.func.nextval(sequence)).select_from(sa.func.generate_series(1, count))
            )
        )
    top = session.scalar(sa.select(sa.func.max(table.c.id))) or 0
    return list(range(top + 1, top + 1 + count))


def _copy_processor(column_type: Any, dialect: Any) -> Any:
    """How a value goes to the driver: JSON as its text (the PostgreSQL driver's JSON wrapper
    costs more than the insert itself), everything else through the column's own type."""
    if isinstance(column_type, sa.JSON):
        return lambda value: None if value is None else json.dumps(value, ensure_ascii=False)
    return column_type._cached_bind_processor(dialect)


def insert_many(session: Any, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows of `table` (all with the same keys) in the session's transaction, the
    way each engine takes them fastest — one COPY on PostgreSQL, the driver's own executemany of
    plain tuples on SQLite — several times faster than SQLAlchemy's executemany for the tens of
    thousands of rows of an import. Values go through the columns' types as in any insert (UTC
    datetimes, enums, JSON); a refusal is SQLAlchemy's error (an IntegrityError…) as usual."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name not in {"postgresql", "sqlite"}:
        connection.execute(table.insert(), rows)
        return
    columns = list(rows[0])
    processors = [_copy_processor(table.c[name].type, dialect) for name in columns]
    values = (
        [p(row[n]) if p else row[n] for n, p in zip(columns, processors, strict=True)]
        for row in rows
    )
    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in columns)
    name = dialect.identifier_preparer.format_table(table)
    if dialect.name == "postgresql":
        statement = f"COPY {name} ({quoted}) FROM STDIN"
    else:
        statement = f"INSERT INTO {name} ({quoted}) VALUES ({', '.join('?' * len(columns))})"
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        if dialect.name == "postgresql":
            with cursor.copy(statement) as copy:
                for row in values:
                    copy.write_row(row)
        else:
            cursor.executemany(statement, values)
    except dialect.loaded_dbapi.Error as error:  # as SQLAlchemy's own (an IntegrityError…)
        base = dialect.loaded_dbapi.Error
        raise sa.exc.DBAPIError.instance(statement, None, error, base) from error
    finally:
        cursor.close()
