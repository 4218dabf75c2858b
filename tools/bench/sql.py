"""Hand-written SQL answering the same questions as the pages the benchmark times: the floor the
ORM pages are compared with. Same filters, same limits, same scope rule as salesflow/scope.py."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from salesflow.db import UTCDateTime


@dataclass(frozen=True)
class Viewer:
    """Who is looking: enough to write the scope rule by hand."""

    user_id: int
    team_id: int | None
    sees_all: bool
    director: bool = False


def _scope(viewer: Viewer) -> str:
    """scope.visible_accounts for a rep (own team or on the account team), a director (own
    team) or leadership."""
    if viewer.sees_all:
        return "a.deleted_at IS NULL"
    if viewer.director:
        return "a.team_id = :team_id AND a.deleted_at IS NULL"
    return (
        "(a.team_id = :team_id OR a.id IN "
        "(SELECT account_id FROM account_members WHERE user_id = :user_id)) "
        "AND a.deleted_at IS NULL"
    )


def _params(viewer: Viewer, **more: Any) -> dict[str, Any]:
    return {"team_id": viewer.team_id, "user_id": viewer.user_id, **more}


def _like(conn: sa.Connection, column: str) -> str:
    """Case-insensitive substring match, as SQLAlchemy's icontains/ilike renders it."""
    if conn.dialect.name == "postgresql":
        return f"{column} ILIKE :pattern ESCAPE '\\'"
    return f"lower({column}) LIKE lower(:pattern) ESCAPE '\\'"


def _contains(conn: sa.Connection, column: str) -> str:
    """search.queries' match: lower() LIKE on PostgreSQL, plain LIKE (ASCII case-blind) on
    SQLite."""
    if conn.dialect.name == "postgresql":
        return f"lower({column}) LIKE lower(:pattern) ESCAPE '\\'"
    return f"{column} LIKE :pattern ESCAPE '\\'"


def pattern(q: str) -> str:
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _ids(rows: list[Any]) -> str:
    """A literal id list (ids come from the database, never from input)."""
    return ",".join(str(int(r[0])) for r in rows) or "NULL"


def account_list(conn: sa.Connection, viewer: Viewer, q: str | None = None) -> int:
    """/accounts: the first 50 by name with team and account team, plus the industry filter."""
    where = _scope(viewer) + (f" AND {_like(conn, 'a.name')}" if q else "")
    params = _params(viewer, pattern=pattern(q) if q else None)
    rows = conn.execute(
        sa.text(
            "SELECT a.id, a.name, a.tier, a.industry, a.region, a.updated_at, t.name "
            f"FROM accounts a JOIN teams t ON t.id = a.team_id WHERE {where} "
            "ORDER BY a.name, a.id LIMIT 51"
        ),
        params,
    ).all()
    conn.execute(
        sa.text(
            "SELECT m.account_id, m.role, u.id, u.name FROM account_members m "
            f"JOIN users u ON u.id = m.user_id WHERE m.account_id IN ({_ids(rows)})"
        )
    ).all()
    conn.execute(
        sa.text(
            f"SELECT DISTINCT a.industry FROM accounts a WHERE {_scope(viewer)} "
            "AND a.industry IS NOT NULL ORDER BY a.industry LIMIT 200"
        ),
        _params(viewer),
    ).all()
    conn.execute(sa.text("SELECT id, name FROM teams ORDER BY name")).all()
    return len(rows)


EXPORT_BATCH = 5000  # exports.files.BATCH


def account_export(conn: sa.Connection, viewer: Viewer) -> int:
    """/accounts/export.csv: every account the viewer sees by name, read in keyset batches with
    its team, its parent's name (when visible) and its account team by role."""
    after, count, params = "", 0, _params(viewer)
    while True:
        rows = conn.execute(
            sa.text(
                "SELECT a.id, a.name, a.tier, a.industry, a.region, t.name, CASE WHEN p.id IN "
                f"(SELECT a.id FROM accounts a WHERE {_scope(viewer)}) THEN p.name END, "
                "a.website, a.address, a.notes, a.updated_at FROM accounts a "
                "JOIN teams t ON t.id = a.team_id LEFT JOIN accounts p ON p.id = a.parent_id "
                f"WHERE {_scope(viewer)}{after} ORDER BY a.name, a.id LIMIT {EXPORT_BATCH}"
            ),
            params,
        ).all()
        for start in range(0, len(rows), 1000):  # exports.lists.SIDE_IDS: SQLite's plan
            conn.execute(
                sa.text(
                    "SELECT m.account_id, m.role, u.name FROM account_members m JOIN users u ON "
                    f"u.id = m.user_id WHERE m.account_id IN ({_ids(rows[start : start + 1000])}) "
                    "ORDER BY u.name, u.id"
                )
            ).all()
        count += len(rows)
        if len(rows) < EXPORT_BATCH:
            return count
        after = " AND (a.name > :v OR (a.name = :v AND a.id > :last))"
        params = {**params, "v": rows[-1][1], "last": rows[-1][0]}


def _at(name: str) -> sa.BindParameter:
    return sa.bindparam(name, type_=UTCDateTime())


def account_page(conn: sa.Connection, viewer: Viewer, account_id: int, now: datetime) -> int:
    """/accounts/<id>: the account, its team, the decision chain with live ties, the latest
    20 interactions with both sides' people, and the last 50 audit entries."""
    params = _params(viewer, account_id=account_id)
    conn.execute(
        sa.text(f"SELECT a.* FROM accounts a WHERE a.id = :account_id AND {_scope(viewer)}"), params
    ).one()
    conn.execute(
        sa.text(
            "SELECT m.role, u.id, u.name FROM account_members m JOIN users u ON u.id = m.user_id "
            "WHERE m.account_id = :account_id ORDER BY m.id"
        ),
        params,
    ).all()
    conn.execute(
        sa.text("SELECT * FROM contacts WHERE account_id = :account_id AND deleted_at IS NULL"),
        params,
    ).all()
    ties = sa.text(
        "SELECT att.contact_id, u.id, u.name, i.occurred_at FROM contacts c "
        "JOIN interaction_attendees att ON att.contact_id = c.id "
        "JOIN interactions i ON i.id = att.interaction_id "
        "JOIN interaction_participants p ON p.interaction_id = i.id "
        "JOIN users u ON u.id = p.user_id "
        "WHERE c.account_id = :account_id AND i.deleted_at IS NULL "
        "AND i.occurred_at >= :since AND i.occurred_at <= :now"
    ).bindparams(_at("since"), _at("now"))
    conn.execute(ties, {**params, "since": now - timedelta(days=180), "now": now}).all()
    latest = conn.execute(
        sa.text(
            "SELECT i.* FROM interactions i WHERE i.account_id = :account_id "
            "AND i.deleted_at IS NULL ORDER BY i.occurred_at DESC, i.id DESC LIMIT 20"
        ),
        params,
    ).all()
    for table, column, other in (
        ("interaction_participants", "user_id", "users"),
        ("interaction_attendees", "contact_id", "contacts"),
    ):
        conn.execute(
            sa.text(
                f"SELECT x.interaction_id, o.id, o.name FROM {table} x "
                f"JOIN {other} o ON o.id = x.{column} WHERE x.interaction_id IN ({_ids(latest)})"
            )
        ).all()
    conn.execute(
        sa.text(
            "SELECT e.*, u.name FROM audit_entries e LEFT JOIN users u ON u.id = e.actor_id "
            "WHERE e.account_id = :account_id ORDER BY e.id DESC LIMIT 50"
        ),
        params,
    ).all()
    return len(latest)


def search(conn: sa.Connection, viewer: Viewer, q: str, limit: int = 20) -> tuple[list, list]:
    """/search: accounts by name and current contacts by name/title/e-mail/phone, capped."""
    params = _params(viewer, pattern=pattern(q), limit=limit + 1)
    accounts = conn.execute(
        sa.text(
            "SELECT a.id, a.name, a.tier, a.industry, t.name FROM accounts a "
            f"JOIN teams t ON t.id = a.team_id WHERE {_scope(viewer)} "
            f"AND {_contains(conn, 'a.name')} ORDER BY lower(a.name), a.id LIMIT :limit"
        ),
        params,
    ).all()
    columns = ("name", "title", "email", "phone")
    matches = " OR ".join(_contains(conn, f"c.{column}") for column in columns)
    contacts = conn.execute(
        sa.text(
            "SELECT c.id, c.name, c.title, c.department, c.account_id, a.name FROM contacts c "
            f"JOIN accounts a ON a.id = c.account_id WHERE {_scope(viewer)} "
            f"AND c.deleted_at IS NULL AND c.left_on IS NULL AND ({matches}) "
            "ORDER BY lower(c.name), c.id LIMIT :limit"
        ),
        params,
    ).all()
    return accounts, contacts


@dataclass(frozen=True)
class QuickLog:
    account_id: int
    contact_ids: tuple[int, ...]
    participant_ids: tuple[int, ...]
    occurred_at: datetime


def quick_log(conn: sa.Connection, viewer: Viewer, log: QuickLog, now: datetime) -> int:
    """POST /interactions/new: check scope and ids, insert the interaction, its people and the
    audit entry, commit."""
    params = _params(viewer, account_id=log.account_id)
    conn.execute(
        sa.text(f"SELECT a.id FROM accounts a WHERE a.id = :account_id AND {_scope(viewer)}"),
        params,
    ).one()
    conn.execute(
        sa.text(
            "SELECT id FROM contacts WHERE account_id = :account_id AND deleted_at IS NULL "
            f"AND id IN ({','.join(map(str, log.contact_ids))})"
        ),
        params,
    ).all()
    people = _ids([[uid] for uid in log.participant_ids])
    conn.execute(sa.text(f"SELECT id FROM users WHERE active AND id IN ({people})")).all()
    insert = sa.text(
        "INSERT INTO interactions (account_id, occurred_at, kind, summary, outcome, next_step, "
        "next_step_due, cost, owner_id, created_at, updated_at, version) VALUES (:account_id, "
        ":occurred_at, 'visit', :summary, :outcome, :next_step, :due, :cost, :user_id, :now, "
        ":now, 1) RETURNING id"
    ).bindparams(
        _at("occurred_at"),
        _at("now"),
        sa.bindparam("due", type_=sa.Date()),
        sa.bindparam("cost", type_=sa.Numeric(14, 2)),
    )
    new_id = conn.execute(
        insert,
        {
            **params,
            "occurred_at": log.occurred_at,
            "summary": "Benchmark visit",
            "outcome": "Fine",
            "next_step": "Call back",
            "due": (now + timedelta(days=3)).date(),
            "cost": Decimal("120.00"),
            "now": now,
        },
    ).scalar_one()
    conn.execute(
        sa.text("INSERT INTO interaction_participants (interaction_id, user_id) VALUES (:i, :u)"),
        [{"i": new_id, "u": uid} for uid in log.participant_ids],
    )
    conn.execute(
        sa.text("INSERT INTO interaction_attendees (interaction_id, contact_id) VALUES (:i, :c)"),
        [{"i": new_id, "c": cid} for cid in log.contact_ids],
    )
    conn.execute(
        sa.text(
            "INSERT INTO audit_entries (at, actor_id, entity_type, entity_id, account_id, action, "
            "changes) VALUES (:now, :user_id, 'interactions', :id, :account_id, 'create', '{}')"
        ).bindparams(_at("now")),
        {**params, "now": now, "id": new_id},
    )
    conn.commit()
    return new_id


RawQuery = Callable[[sa.Connection], Any]
