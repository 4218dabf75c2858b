"""Hand-written SQL for global search (/search), through the same text index the app uses
(salesflow/search/index.py, migration 7e3b51c0a9d4), so that the page is compared with a query
that does not scan where the page does not:

- SQLite: the FTS5 trigram tables' candidates (`accounts_search MATCH '{name} : "pacific"'`); a
  query of one or two characters through the index's vocabulary (`*_terms`), as the app does, and
  a scan where the app scans (one ASCII character, or more than MAX_TERMS trigrams);
- PostgreSQL: `lower(column) LIKE` served by the pg_trgm indexes; one or two characters through
  the per-character full-text index, unless each character is in more than COMMON_SHARE of the
  records (the app then scans, and so does this).

Then the same LIKE, scope, order and cap as search.queries."""

from typing import Any

import sqlalchemy as sa

from tools.bench.sql import Viewer, _params, _scope, pattern

MAX_TERMS = 400  # search.index.MAX_TERMS
COMMON_SHARE = 0.05  # search.index.COMMON_SHARE
_LAST_CHAR = "\U0010ffff"
CONTACT_COLUMNS = ("name", "title", "email", "phone")
# The text of PostgreSQL's ix_search_*_chars indexes, to the letter of the migration's.
_CHARS = "to_tsvector('simple'::regconfig, regexp_replace(lower({0}), '(.)', '\\1 ', 'g'))"
_CHARS_TEXT = {
    "accounts": "coalesce(a.name, '')",
    "contacts": " || ' ' || ".join(f"coalesce(c.{column}, '')" for column in CONTACT_COLUMNS),
}
_shares: dict[tuple[str, str], dict[str, float]] = {}


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _sqlite_match(conn: sa.Connection, index: str, columns: tuple[str, ...], q: str) -> str | None:
    """The FTS5 query for `q` in `columns` ("" when nothing can match), or None to scan."""
    spec = "{" + " ".join(columns) + "} : "
    if len(q) >= 3:
        return spec + _quote(q)
    if len(q) == 1 and q.isascii():
        return None
    folded = q.lower()
    terms = (
        conn.execute(
            sa.text(f"SELECT term FROM {index}_terms WHERE term >= :lo AND term < :hi LIMIT :n"),
            {"lo": folded, "hi": folded + _LAST_CHAR, "n": MAX_TERMS + 1},
        )
        .scalars()
        .all()
    )
    if len(terms) > MAX_TERMS:
        return None
    return spec + "(" + " OR ".join(_quote(term) for term in terms) + ")" if terms else ""


def _common(conn: sa.Connection, table: str, q: str) -> bool:
    """Whether each character of `q` is in more than COMMON_SHARE of `table`'s records (from
    ANALYZE's statistics of the chars index; read once per process, like the app)."""
    key = (conn.engine.url.render_as_string(), table)
    if key not in _shares:
        row = conn.execute(
            sa.text(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                "WHERE schemaname = current_schema() AND tablename = :index"
            ),
            {"index": f"ix_search_{table}_chars"},
        ).first()
        found = row is not None and row[0] is not None
        _shares[key] = dict(zip(row[0], row[1], strict=False)) if found else {}
    return min(_shares[key].get(ch, 0.0) for ch in q.lower()) > COMMON_SHARE


def _narrowed(conn: sa.Connection, table: str, q: str, params: dict[str, Any]) -> str:
    """The index condition for `table` (alias a or c) as the app adds it ("" to scan)."""
    alias = table[0]
    if conn.dialect.name == "postgresql":
        if len(q) >= 3 or not q.isalnum() or _common(conn, table, q):
            return ""  # three characters or more: the trigram indexes serve the LIKE itself
        params[f"{table}_chars"] = " ".join(q)
        document = _CHARS.format(_CHARS_TEXT[table])
        return f" AND {document} @@ plainto_tsquery('simple'::regconfig, :{table}_chars)"
    columns = ("name",) if table == "accounts" else CONTACT_COLUMNS
    match = _sqlite_match(conn, f"{table}_search", columns, q)
    if match is None:
        return ""
    if match == "":
        return " AND 0"
    params[f"{table}_match"] = match
    return (
        f" AND {alias}.id IN (SELECT rowid FROM {table}_search "
        f"WHERE {table}_search MATCH :{table}_match)"
    )


def _contains(conn: sa.Connection, column: str) -> str:
    """search.queries' match: lower() LIKE on PostgreSQL, plain LIKE (ASCII case-blind) on
    SQLite."""
    if conn.dialect.name == "postgresql":
        return f"lower({column}) LIKE lower(:pattern) ESCAPE '\\'"
    return f"{column} LIKE :pattern ESCAPE '\\'"


def search(conn: sa.Connection, viewer: Viewer, q: str, limit: int = 20) -> tuple[list, list]:
    """/search: accounts by name and current contacts by name/title/e-mail/phone, capped."""
    params = _params(viewer, pattern=pattern(q), limit=limit + 1)
    narrowed = _narrowed(conn, "accounts", q, params)
    accounts = conn.execute(
        sa.text(
            "SELECT a.id, a.name, a.tier, a.industry, t.name FROM accounts a "
            f"JOIN teams t ON t.id = a.team_id WHERE {_scope(viewer)} "
            f"AND {_contains(conn, 'a.name')}{narrowed} ORDER BY lower(a.name), a.id LIMIT :limit"
        ),
        params,
    ).all()
    matches = " OR ".join(_contains(conn, f"c.{column}") for column in CONTACT_COLUMNS)
    narrowed = _narrowed(conn, "contacts", q, params)
    contacts = conn.execute(
        sa.text(
            "SELECT c.id, c.name, c.title, c.department, c.account_id, a.name FROM contacts c "
            f"JOIN accounts a ON a.id = c.account_id WHERE {_scope(viewer)} "
            f"AND c.deleted_at IS NULL AND c.left_on IS NULL AND ({matches}){narrowed} "
            "ORDER BY lower(c.name), c.id LIMIT :limit"
        ),
        params,
    ).all()
    return accounts, contacts
