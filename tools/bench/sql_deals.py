"""Hand-written SQL for the opportunity pages the benchmark times: the pipeline board, the list,
the opportunity page with the facts its gates look at, the CSV export, and the set-wise facts of
many deals. The floor the ORM pages are compared with: same scope rule as salesflow/scope.py
(a deal is visible when its account is), same filters and limits as the pages."""

from datetime import date, datetime

import sqlalchemy as sa

from tools.bench.sql import TIMELINE_PAGE, Viewer, _at, _ids, _params, _scope

FAR_FUTURE = date(9999, 12, 31)  # queries.FAR_FUTURE: deals without a close date sort last
CARDS_PER_STAGE = 20  # queries.CARDS_PER_PAGE: a column's first page of cards
EXPORT_BATCH = 5000  # exports.files.BATCH


def _visible(viewer: Viewer) -> str:
    return (
        "o.deleted_at IS NULL AND o.account_id IN "
        f"(SELECT a.id FROM accounts a WHERE {_scope(viewer)})"
    )


def _close() -> str:
    return "COALESCE(o.expected_close, :far)"


def _far() -> sa.BindParameter:
    return sa.bindparam("far", FAR_FUTURE, type_=sa.Date())


def _seats(conn: sa.Connection, rows: list) -> None:
    """The iron triangle of a page of deals, with the people's names."""
    conn.execute(
        sa.text(
            "SELECT r.opportunity_id, r.role, u.id, u.name FROM opportunity_roles r "
            f"JOIN users u ON u.id = r.user_id WHERE r.opportunity_id IN ({_ids(rows)})"
        )
    ).all()


def _filter_options(conn: sa.Connection, viewer: Viewer) -> None:
    """The teams, people and playbooks the list's and the board's filters offer."""
    mine = "" if viewer.sees_all else " WHERE id = :team_id"
    conn.execute(sa.text(f"SELECT id, name FROM teams{mine} ORDER BY name"), _params(viewer)).all()
    people = "" if viewer.sees_all else " AND team_id = :team_id"
    conn.execute(
        sa.text(f"SELECT id, name FROM users WHERE active{people} ORDER BY name"), _params(viewer)
    ).all()
    conn.execute(sa.text("SELECT DISTINCT key FROM playbook_versions")).all()


def board(conn: sa.Connection, viewer: Viewer, key: str, *, options: bool = True) -> int:
    """/pipeline?playbook=key as the page answers it: open deals of the playbook (any version)
    per stage, count and amounts per currency; then each stage's first CARDS_PER_STAGE cards by
    expected close (those without a date after, by id), a query per stage that stops after a
    page, with their accounts and iron triangles; and the filters' options (not part of
    queries.board)."""
    where = (
        f"a.id = o.account_id AND {_scope(viewer)} AND o.deleted_at IS NULL "
        "AND o.status = 'open' AND o.playbook_version_id IN "
        "(SELECT id FROM playbook_versions WHERE key = :key)"
    )
    params = _params(viewer, key=key)
    totals = conn.execute(
        sa.text(
            "SELECT o.playbook_version_id, o.stage_key, o.currency, COUNT(*), "
            f"COALESCE(SUM(o.amount), 0) FROM opportunities o, accounts a WHERE {where} "
            "GROUP BY o.playbook_version_id, o.stage_key, o.currency"
        ),
        params,
    ).all()
    versions = _ids([[r[0]] for r in totals])
    conn.execute(sa.text(f"SELECT * FROM playbook_versions WHERE id IN ({versions})")).all()
    shown: list = []
    for stage in sorted({r[1] for r in totals}):
        in_stage = {**params, "stage": stage}
        cards = conn.execute(
            sa.text(
                f"SELECT o.id FROM opportunities o, accounts a WHERE {where} "
                "AND o.stage_key = :stage AND o.expected_close IS NOT NULL "
                f"ORDER BY o.expected_close, o.id LIMIT {CARDS_PER_STAGE + 1}"
            ),
            in_stage,
        ).all()
        if len(cards) <= CARDS_PER_STAGE:
            cards += conn.execute(
                sa.text(
                    f"SELECT o.id FROM opportunities o, accounts a WHERE {where} "
                    "AND o.stage_key = :stage AND o.expected_close IS NULL "
                    f"ORDER BY o.id LIMIT {CARDS_PER_STAGE + 1 - len(cards)}"
                ),
                in_stage,
            ).all()
        shown += cards[:CARDS_PER_STAGE]
    rows = conn.execute(
        sa.text(
            "SELECT o.*, a.name FROM opportunities o JOIN accounts a ON a.id = o.account_id "
            f"WHERE o.id IN ({_ids(shown)})"
        )
    ).all()
    _seats(conn, rows)
    if options:
        _filter_options(conn, viewer)
    return sum(r[3] for r in totals)


def opportunity_list(conn: sa.Connection, viewer: Viewer) -> list[int]:
    """/opportunities?sort=amount&dir=desc: the first 50 open deals, largest first, with their
    account, playbook version and iron triangle."""
    rows = conn.execute(
        sa.text(
            "SELECT o.*, a.name FROM opportunities o JOIN accounts a ON a.id = o.account_id "
            f"WHERE {_visible(viewer)} AND o.status = 'open' "
            "ORDER BY COALESCE(o.amount, 0) DESC, o.id DESC LIMIT 51"
        ),
        _params(viewer),
    ).all()
    versions = ",".join({str(int(r.playbook_version_id)) for r in rows}) or "NULL"
    conn.execute(sa.text(f"SELECT * FROM playbook_versions WHERE id IN ({versions})")).all()
    _seats(conn, rows[:50])
    _filter_options(conn, viewer)
    return [r[0] for r in rows[:50]]


def facts(conn: sa.Connection, opportunity_ids: list[int], now: datetime) -> int:
    """opportunities.facts.load_facts: what the exit gates of many deals look at, set-wise (roles,
    the accounts' contacts, each contact's last attended interaction, the deals' own
    interactions, ticks of the current stage, approval decisions). Returns the rows read."""
    ids = _ids([[i] for i in opportunity_ids])
    accounts = f"(SELECT account_id FROM opportunities WHERE id IN ({ids}))"
    found = 0
    for sql in (
        "SELECT r.opportunity_id, r.role, u.id, u.name, u.active FROM opportunity_roles r "
        f"JOIN users u ON u.id = r.user_id WHERE r.opportunity_id IN ({ids})",
        "SELECT id, account_id, name, decision_role, attitude, level, left_on FROM contacts "
        f"WHERE account_id IN {accounts} AND deleted_at IS NULL",
        "SELECT id, opportunity_id, kind, occurred_at FROM interactions "
        f"WHERE opportunity_id IN ({ids}) AND deleted_at IS NULL",
        "SELECT t.opportunity_id, t.stage_key, t.item_key FROM checklist_ticks t JOIN "
        f"opportunities o ON o.id = t.opportunity_id AND o.stage_key = t.stage_key "
        f"WHERE t.opportunity_id IN ({ids}) AND t.cleared_at IS NULL",
        "SELECT opportunity_id, gate_key, decision, actor_role, at FROM approvals "
        f"WHERE opportunity_id IN ({ids}) AND decision != 'requested' ORDER BY id",
    ):
        found += len(conn.execute(sa.text(sql)).all())
    last = sa.text(
        "SELECT i.account_id, att.contact_id, MAX(i.occurred_at) FROM interactions i "
        "JOIN interaction_attendees att ON att.interaction_id = i.id "
        f"WHERE i.account_id IN {accounts} AND i.deleted_at IS NULL AND i.occurred_at <= :now "
        "GROUP BY i.account_id, att.contact_id"
    ).bindparams(_at("now"))
    return found + len(conn.execute(last, {"now": now}).all())


def opportunity_page(conn: sa.Connection, viewer: Viewer, opportunity_id: int, now: datetime):
    """/opportunities/<id>: the deal with its account and playbook version, the gate facts,
    the checklist, decision points, stage history, the newest page of interactions on it (30, and
    one more telling of "Older") with both sides' people, and its last 50 audit entries. The
    version's source is not read: the app parses it once per process. Returns the interactions
    shown."""
    params = _params(viewer, id=opportunity_id)
    deal = conn.execute(
        sa.text(
            "SELECT o.*, a.name AS account_name FROM opportunities o JOIN accounts a "
            f"ON a.id = o.account_id WHERE o.id = :id AND {_visible(viewer)}"
        ),
        params,
    ).one()
    conn.execute(
        sa.text("SELECT id, key, version, content_hash FROM playbook_versions WHERE id = :v"),
        {"v": deal.playbook_version_id},
    ).one()
    _seats(conn, [[opportunity_id]])
    facts(conn, [opportunity_id], now)
    for sql in (
        "SELECT t.*, u.name FROM checklist_ticks t JOIN users u ON u.id = t.ticked_by_id "
        "WHERE t.opportunity_id = :id AND t.stage_key = :stage AND t.cleared_at IS NULL",
        "SELECT ap.*, u.name FROM approvals ap JOIN users u ON u.id = ap.actor_id "
        "WHERE ap.opportunity_id = :id ORDER BY ap.at DESC, ap.id DESC",
        "SELECT s.*, u.name FROM stage_changes s LEFT JOIN users u ON u.id = s.actor_id "
        "WHERE s.opportunity_id = :id ORDER BY s.at DESC, s.id DESC",
        "SELECT e.*, u.name FROM audit_entries e LEFT JOIN users u ON u.id = e.actor_id "
        "WHERE e.entity_type = 'opportunities' AND e.entity_id = :id ORDER BY e.id DESC LIMIT 50",
    ):
        conn.execute(sa.text(sql), {"id": opportunity_id, "stage": deal.stage_key}).all()
    latest = conn.execute(
        sa.text(
            "SELECT i.* FROM interactions i WHERE i.opportunity_id = :id "
            "AND i.deleted_at IS NULL ORDER BY i.occurred_at DESC, i.id DESC "
            f"LIMIT {TIMELINE_PAGE + 1}"
        ),
        {"id": opportunity_id},
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
    return len(latest)


def export(conn: sa.Connection, viewer: Viewer, team_id: int) -> int:
    """/opportunities/export.csv?team_id=..&status=all: every deal of the team (any status) by
    expected close, read in keyset batches with their accounts and iron triangles."""
    where = f"{_visible(viewer)} AND o.account_id IN (SELECT id FROM accounts WHERE team_id = :t)"
    after, count = "", 0
    params = _params(viewer, t=team_id, far=FAR_FUTURE)
    while True:
        rows = conn.execute(
            sa.text(
                "SELECT o.id, o.name, o.stage_key, o.status, o.amount, o.currency, "
                "o.expected_close, o.stage_entered_at, o.competitors, o.close_reason, "
                f"o.playbook_version_id, a.name, {_close()} AS close_on FROM opportunities o "
                f"JOIN accounts a ON a.id = o.account_id WHERE {where}{after} "
                f"ORDER BY {_close()}, o.id LIMIT {EXPORT_BATCH + 1}"
            ).bindparams(_far()),
            params,
        ).all()
        _seats(conn, rows[:EXPORT_BATCH])
        count += len(rows[:EXPORT_BATCH])
        if len(rows) <= EXPORT_BATCH:
            return count
        last = rows[EXPORT_BATCH - 1]
        after = f" AND ({_close()} > :v OR ({_close()} = :v AND o.id > :last))"
        params = {**params, "v": last.close_on, "last": last.id}
