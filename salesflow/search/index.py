"""The text index behind global search (migration 7e3b51c0a9d4_search_text_index).

Search narrows its LIKE scan to the index's candidates and keeps the LIKE, so results are exactly
the scan's (the indexes fold case at least as widely as the LIKE: their candidates are a superset).

PostgreSQL: pg_trgm GIN indexes on the expressions search.queries matches, which the planner uses
for the LIKE itself; a query of one or two characters has no trigram, so a second GIN index holds
the same text with each character a word of its own (`chars_document`), where the query's one or
two characters are words.

SQLite: FTS5 tables with the trigram tokenizer, `accounts_search` and `contacts_search` (rowid =
the record's id), kept in step by triggers in the writing transaction:
- three characters or more: the trigram phrase (`{name title} : "pacific"`);
- one or two characters: every indexed value ends in two sentinels, so each occurrence of the
  query starts an indexed trigram; the vocabulary (`*_terms`) lists those trigrams by prefix;
- a query matching more than MAX_CANDIDATES records (`a`, `example`) scans as before: walking the
  first 20 by name is then quicker than sorting thousands of candidates.

A database without the index (SQLite without FTS5's trigrams, or not yet migrated) is scanned.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from salesflow.extensions import db

INDEXES = ("accounts_search", "contacts_search")
MAX_CANDIDATES = 5000
COMMON_SHARE = 0.05  # PostgreSQL: a character in more records than this is scanned for
MAX_TERMS = 400  # more trigrams than this for one or two characters: a common one, scanned
_LAST_CHAR = "\U0010ffff"
_present: dict[str, bool] = {}
_shares: dict[tuple[str, str], dict[str, float]] = {}

# A part of a match: the index columns searched and the text searched for in them.
Part = tuple[Sequence[str], str]


# Expression indexes exist only in their migrations: search's, and the opportunity list's orders
# (migration 5e8a1f3c7b42). SQLite's reflection skips them with a warning (EXPRESSION_WARNING).
EXPRESSION_INDEXES = ("ix_search_", "ix_opportunities_by_")
EXPRESSION_WARNING = "Skipped unsupported reflection of expression-based index"


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """For Alembic's comparisons: the index's objects exist only in its migration (FTS5 tables and
    their shadow tables, expression indexes), as no model can declare them."""
    if type_ == "table" and name:
        return not name.startswith(INDEXES)
    if type_ == "index" and name:
        return not name.startswith(EXPRESSION_INDEXES)
    return True


_PRESENCE = {
    "sqlite": f"SELECT count(*) = 2 FROM sqlite_master WHERE name IN {INDEXES}",
    "postgresql": "SELECT count(*) = 2 FROM pg_indexes "
    "WHERE indexname IN ('ix_search_accounts_chars', 'ix_search_contacts_chars')",
}


def _available(connection: sa.Connection) -> bool:
    """Whether the database has the index (SQLite has none without FTS5's trigram tokenizer);
    looked up once per database."""
    key = connection.engine.url.render_as_string()
    if key not in _present:
        sql = _PRESENCE.get(connection.dialect.name)
        _present[key] = bool(sql and connection.exec_driver_sql(sql).scalar_one())
    return _present[key]


def chars_document(columns: Sequence[sa.ColumnElement]) -> sa.ColumnElement:
    """The text of PostgreSQL's ix_search_*_chars indexes, to the letter of the migration's: the
    columns joined by spaces, lowered, each character followed by a space, as a tsvector."""
    text: sa.ColumnElement | None = None
    for column in columns:
        value = sa.func.coalesce(column, sa.literal_column("''"))
        text = value if text is None else text.op("||")(sa.literal_column("' '")).op("||")(value)
    spaced = sa.func.regexp_replace(
        sa.func.lower(text),
        sa.literal_column("'(.)'"),
        sa.literal_column("'\\1 '"),
        sa.literal_column("'g'"),
    )
    return sa.func.to_tsvector(sa.literal_column("'simple'::regconfig"), spaced)


def _character_shares(connection: sa.Connection, index: str) -> dict[str, float]:
    """The share of records holding each of the most common characters, from the statistics
    ANALYZE keeps of the chars index; read once per process and database (pg_stats takes a few
    milliseconds, and which characters are common hardly changes)."""
    key = (connection.engine.url.render_as_string(), index)
    if key not in _shares:
        row = connection.execute(
            sa.text(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                "WHERE schemaname = current_schema() AND tablename = :index"
            ),
            {"index": f"ix_search_{index.removesuffix('_search')}_chars"},
        ).first()
        found = row is not None and row[0] is not None
        _shares[key] = dict(zip(row[0], row[1], strict=False)) if found else {}
    return _shares[key]


def _common_on_postgresql(connection: sa.Connection, index: str, text: str) -> bool:
    """Whether each character of `text` is in more than COMMON_SHARE of the records."""
    shares = _character_shares(connection, index)
    return min(shares.get(ch, 0.0) for ch in text.lower()) > COMMON_SHARE


def _narrow_postgresql(index: str, columns: Sequence[sa.ColumnElement], parts: Sequence[Part]):
    """Three characters or more: the trigram indexes serve the LIKE. One or two letters or
    digits: the records holding each as a word of chars_document (the index answers that
    without reading a row; the LIKE then checks the order). A common one is scanned: checking
    the index's text row by row would cost far more than the LIKE."""
    query = parts[0][1]
    if len(query) >= 3 or len(parts) > 1 or not query.isalnum():
        return sa.true()
    if _common_on_postgresql(db.session.connection(), index, query):
        return sa.true()
    words = sa.func.plainto_tsquery(sa.literal_column("'simple'::regconfig"), " ".join(query))
    return chars_document(columns).op("@@")(words)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _foldable(text: str) -> bool:
    """Whether lower() folds `text` as the index does: ASCII, and characters with no case
    (Chinese, digits, signs). Other letters are searched by scanning."""
    return all(ch.isascii() or ch.lower() == ch == ch.upper() for ch in text)


def _short_terms(index: str, text: str) -> list[str] | None:
    """The indexed trigrams that start with `text` (one or two characters); None when too many."""
    folded = text.lower()
    terms = (
        db.session.execute(
            sa.text(f"SELECT term FROM {index}_terms WHERE term >= :lo AND term < :hi LIMIT :n"),
            {"lo": folded, "hi": folded + _LAST_CHAR, "n": MAX_TERMS + 1},
        )
        .scalars()
        .all()
    )
    return None if len(terms) > MAX_TERMS else terms


def _match_expression(index: str, parts: Sequence[Part]) -> str | None:
    """The FTS5 query for `parts` ("" when no record can match), or None to scan instead."""
    clauses = []
    for columns, text in parts:
        spec = "{" + " ".join(columns) + "} : "
        if not text:
            return None  # matches every value, even an empty one (which has no trigram)
        if len(text) >= 3:
            clauses.append(spec + _quote(text))
            continue
        # One ASCII character is in most e-mails or phones: scanning finds the first ones sooner
        # than the vocabulary lists its hundreds of trigrams.
        common = len(text) == 1 and text.isascii()
        terms = _short_terms(index, text) if _foldable(text) and not common else None
        if terms is None:
            return None
        if terms:
            clauses.append(spec + "(" + " OR ".join(_quote(term) for term in terms) + ")")
    return " OR ".join(f"({clause})" for clause in clauses)


def narrow(
    id_column: sa.ColumnElement,
    index: str,
    parts: Sequence[Part],
    columns: Sequence[sa.ColumnElement],
):
    """A condition restricting a search to the index's candidates for `parts` (any part
    matching; the first is the query over every column); true (scan) without the index or for
    a common query. `columns` are the record's indexed columns, in the index's order."""
    connection = db.session.connection()
    if not _available(connection):
        return sa.true()
    if connection.dialect.name == "postgresql":
        return _narrow_postgresql(index, columns, parts)
    expression = _match_expression(index, parts)
    if expression is None:
        return sa.true()
    if expression == "":
        return sa.false()
    candidates = sa.text(f"SELECT rowid FROM {index} WHERE {index} MATCH :expression")
    count = db.session.execute(
        sa.text(f"SELECT count(*) FROM ({candidates.text} LIMIT :cap)"),
        {"expression": expression, "cap": MAX_CANDIDATES + 1},
    ).scalar_one()
    if count > MAX_CANDIDATES:
        return sa.true()
    if count == 0:
        return sa.false()
    return id_column.in_(candidates.bindparams(expression=expression).columns(sa.column("rowid")))
