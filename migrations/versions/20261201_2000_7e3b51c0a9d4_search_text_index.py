"""search: a text index of account and contact names, titles, e-mails and phones

Global search matched with LIKE '%…%', a full scan of 100,000 contacts per query. PostgreSQL
gets pg_trgm GIN indexes on the very expressions search.queries matches (lower(column), and the
phone's digits), which the planner uses for LIKE, and for one- and two-character queries (no
trigram) a full-text GIN index of the same text with each character a word. SQLite gets FTS5
tables with the trigram tokenizer (SQLite 3.34 or later; without it no index is made and search
keeps its scan), kept in step by triggers on accounts and contacts, so every write — services,
imports' bulk inserts, merges, restores, the demo loader — updates them in its own transaction.
Each indexed value ends with two char(1) sentinels: then every one- or two-character substring
starts some trigram, and search finds short queries through the index's vocabulary (the *_terms
tables) too.

A batch-mode migration that recreates accounts or contacts on SQLite drops these triggers: it
must run the _create_sqlite_triggers DDL again (tests/search checks the index after each write).

Revision ID: 7e3b51c0a9d4
Revises: 6d1e5f0a9b21
Create Date: 2026-12-01 20:00:00

"""

import sqlite3

from alembic import op

# revision identifiers, used by Alembic.
revision = "7e3b51c0a9d4"
down_revision = "6d1e5f0a9b21"
branch_labels = None
depends_on = None

DIGITS = (
    "replace(replace(replace(replace(replace({0}, ' ', ''), '-', ''), '(', ''), ')', ''), '+', '')"
)
TRGM = "(({0}) gin_trgm_ops)"
# Each character a word of its own: one- and two-character queries, which have no trigram, are
# full-text phrases of one or two words there (search/index.py builds the same expression).
CHARS = "(to_tsvector('simple'::regconfig, regexp_replace(lower({0}), '(.)', '\\1 ', 'g')))"
CONTACT_TEXT = " || ' ' || ".join(f"coalesce({c}, '')" for c in ("name", "title", "email", "phone"))
# (index name, table, GIN index) on PostgreSQL: the very expressions search.queries sends.
PG_INDEXES = (
    ("ix_search_accounts_name", "accounts", TRGM.format("lower(name)")),
    ("ix_search_contacts_name", "contacts", TRGM.format("lower(name)")),
    ("ix_search_contacts_title", "contacts", TRGM.format("lower(title)")),
    ("ix_search_contacts_email", "contacts", TRGM.format("lower(email)")),
    ("ix_search_contacts_phone", "contacts", TRGM.format("lower(phone)")),
    ("ix_search_contacts_phone_digits", "contacts", TRGM.format(DIGITS.format("phone"))),
    ("ix_search_accounts_chars", "accounts", CHARS.format("coalesce(name, '')")),
    ("ix_search_contacts_chars", "contacts", CHARS.format(CONTACT_TEXT)),
)
# SQLite: the FTS5 table's columns, each with the expression over the base row ({0} = new/old).
SQLITE_INDEXES = {
    "accounts": (("name", "{0}.name"),),
    "contacts": (
        ("name", "{0}.name"),
        ("title", "{0}.title"),
        ("email", "{0}.email"),
        ("phone", "{0}.phone"),
        ("phone_digits", DIGITS.format("{0}.phone")),
    ),
}
# The base columns whose change updates the index.
WATCHED = {"accounts": "name", "contacts": "name, title, email, phone"}
PAD = " || char(1, 1)"


def _sqlite_has_trigram() -> bool:
    if sqlite3.sqlite_version_info < (3, 34, 0):
        return False
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()
    return True


def _values(table: str, row: str) -> tuple[str, str]:
    columns = SQLITE_INDEXES[table]
    names = ", ".join(name for name, _ in columns)
    values = ", ".join(expr.format(row) + PAD for _, expr in columns)
    return names, values


def _create_sqlite_triggers(table: str) -> None:
    index = f"{table}_search"
    names, values = _values(table, "new")
    watched = WATCHED[table]
    op.execute(
        f"CREATE TRIGGER {index}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {index} (rowid, {names}) VALUES (new.id, {values}); END"
    )
    # Only a real change reindexes: a bulk update may set a column to the value it had.
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in watched.split(", "))
    op.execute(
        f"CREATE TRIGGER {index}_au AFTER UPDATE OF {watched} ON {table} WHEN {changed} BEGIN "
        f"DELETE FROM {index} WHERE rowid = old.id; "
        f"INSERT INTO {index} (rowid, {names}) VALUES (new.id, {values}); END"
    )
    op.execute(
        f"CREATE TRIGGER {index}_ad AFTER DELETE ON {table} BEGIN "
        f"DELETE FROM {index} WHERE rowid = old.id; END"
    )


def _upgrade_sqlite() -> None:
    if not _sqlite_has_trigram():
        return  # search keeps its LIKE scan (search.index.available)
    for table in SQLITE_INDEXES:
        index = f"{table}_search"
        names, values = _values(table, table)
        op.execute(f"CREATE VIRTUAL TABLE {index} USING fts5({names}, tokenize='trigram')")
        op.execute(f"CREATE VIRTUAL TABLE {index}_terms USING fts5vocab({index}, 'row')")
        op.execute(f"INSERT INTO {index} (rowid, {names}) SELECT id, {values} FROM {table}")
        _create_sqlite_triggers(table)


def upgrade():
    if op.get_context().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, index in PG_INDEXES:
            op.execute(f"CREATE INDEX {name} ON {table} USING gin {index}")
    else:
        _upgrade_sqlite()


def downgrade():
    if op.get_context().dialect.name == "postgresql":
        for name, _, _ in PG_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
        return  # the extension stays: other databases' objects may use it
    for table in SQLITE_INDEXES:
        index = f"{table}_search"
        for suffix in ("ai", "au", "ad"):
            op.execute(f"DROP TRIGGER IF EXISTS {index}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {index}_terms")
        op.execute(f"DROP TABLE IF EXISTS {index}")
