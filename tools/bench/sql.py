"""Hand-written SQL answering the same questions as the pages the benchmark times: the floor the
ORM pages are compared with. Same filters, same limits, same scope rule as salesflow/scope.py."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app

from salesflow import clock
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


TIMELINE_PAGE = 30  # interactions.timeline.PAGE: the newest 30, one more tells of "Older"
DEALS_SHOWN = 10  # accounts.detail.DEALS_SHOWN


def account_page(conn: sa.Connection, viewer: Viewer, account_id: int, now: datetime) -> int:
    """/accounts/<id>: the account, its team, its deals (open first, newest first, with their
    playbook versions), the decision chain with live ties (the tie counts of the last
    TIE_WINDOW_DAYS, as ties.queries.live_ties reads them, and the people they name), the newest
    page of interactions with both sides' people, and the last 50 audit entries. Returns the
    interactions shown."""
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
    deals = conn.execute(
        sa.text(
            "SELECT o.* FROM opportunities o WHERE o.account_id = :account_id "
            "AND o.deleted_at IS NULL ORDER BY o.status = 'open' DESC, o.id DESC "
            f"LIMIT {DEALS_SHOWN + 1}"
        ),
        params,
    ).all()
    versions = _ids([[r.playbook_version_id] for r in deals])
    conn.execute(
        sa.text(
            f"SELECT id, key, version, content_hash FROM playbook_versions WHERE id IN ({versions})"
        )
    ).all()
    conn.execute(
        sa.text("SELECT * FROM contacts WHERE account_id = :account_id AND deleted_at IS NULL"),
        params,
    ).all()
    today = clock.day_number(now)
    ties = conn.execute(
        sa.text(
            "SELECT contact_id, user_id, day, touches FROM tie_touches "
            "WHERE account_id = :account_id AND day BETWEEN :first AND :today"
        ),
        {**params, "first": today - current_app.config["TIE_WINDOW_DAYS"], "today": today},
    ).all()
    conn.execute(
        sa.text(f"SELECT id, name, active FROM users WHERE id IN ({_ids([[t[1]] for t in ties])})")
    ).all()
    latest = conn.execute(
        sa.text(
            "SELECT i.* FROM interactions i WHERE i.account_id = :account_id "
            "AND i.deleted_at IS NULL ORDER BY i.occurred_at DESC, i.id DESC "
            f"LIMIT {TIMELINE_PAGE + 1}"
        ),
        params,
    ).all()[:TIMELINE_PAGE]
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
