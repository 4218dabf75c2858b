"""The text index behind global search (migration 7e3b51c0a9d4_search_text_index).

PostgreSQL: pg_trgm GIN indexes on the expressions search.queries matches; the planner uses them
for the LIKE itself, so nothing here is needed there. SQLite: FTS5 tables with the trigram
tokenizer, `accounts_search` and `contacts_search` (rowid = the record's id), kept in step by
triggers in the writing transaction. A query narrows the scan to the index's candidates and keeps
its LIKE, so results are exactly the LIKE scan's (the index folds case more widely than LIKE, so
its candidates are a superset):

- three characters or more: the trigram phrase (`{name title} : "pacific"`);
- one or two characters: every indexed value ends in two sentinels, so each occurrence of the
  query starts an indexed trigram; the vocabulary (`*_terms`) lists those trigrams by prefix;
- a query matching more than MAX_CANDIDATES records (`a`, `example`) scans as before: walking the
  first 20 by name is then quicker than sorting thousands of candidates.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from salesflow.extensions import db

INDEXES = ("accounts_search", "contacts_search")
MAX_CANDIDATES = 5000
MAX_TERMS = 400  # more trigrams than this for one or two characters: a common one, scanned
_LAST_CHAR = "\U0010ffff"
_present: dict[str, bool] = {}

# A part of a match: the index columns searched and the text searched for in them.
Part = tuple[Sequence[str], str]


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """For Alembic's comparisons: the index's objects exist only in its migration (FTS5 tables and
    their shadow tables, expression indexes), as no model can declare them."""
    if type_ == "table" and name:
        return not name.startswith(INDEXES)
    if type_ == "index" and name:
        return not name.startswith("ix_search_")
    return True


def _available(connection: sa.Connection) -> bool:
    """Whether the SQLite database has the index (it is not made without FTS5's trigram
    tokenizer); looked up once per database."""
    key = connection.engine.url.render_as_string()
    if key not in _present:
        found = connection.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE name IN (?, ?)", INDEXES
        ).scalar_one()
        _present[key] = found == len(INDEXES)
    return _present[key]


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


def narrow(id_column: sa.ColumnElement, index: str, parts: Sequence[Part]):
    """A condition on `id_column` restricting a search to the index's candidates for `parts`
    (any part matching); true (scan) on PostgreSQL, without the index, or for a common query."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite" or not _available(connection):
        return sa.true()
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
