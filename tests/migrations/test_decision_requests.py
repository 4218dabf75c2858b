"""The requests migration turns each pending decision — the latest record of its decision point
is a request, on an open deal still in that stage — into an open decision request to the team's
director (the named one when active, else the team's first active director), asked by whoever
asked, when they asked, needed two working days later; answered, moved-on, closed and deleted
deals' requests are left alone — on both engines."""

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from salesflow.extensions import db
from tests.conftest import drop_database, fresh_database_url, make_app

BEFORE, AFTER = "9c4d2a7e6b15", "1c925ab78572"
AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # Friday 11:00 in Shanghai
SOURCE = """
key: enterprise
stages:
  - key: shape
    exit:
      - approval: {key: atb, name: {en: "Approve to bid", zh: "投标决策"}, by: director}
"""
# team id → (named director id, whether that director is active)
TEAMS = {1: (10, True), 2: (20, False), 3: (None, True)}
USERS = {  # id → (role, team, active)
    1: ("rep", 1, True),
    2: ("rep", 2, True),
    3: ("rep", 3, True),
    10: ("director", 1, True),
    20: ("director", 2, False),  # the named director left
    21: ("director", 2, True),
    22: ("director", 2, True),
}
# deal id → (team, status, stage, deleted, [(decision, actor, minutes after AT)])
DEALS = {
    1: (1, "open", "shape", False, [("requested", 1, 0)]),
    2: (2, "open", "shape", False, [("requested", 2, 5)]),
    3: (1, "open", "shape", False, [("requested", 1, 0), ("approve", 10, 10)]),
    4: (1, "open", "bid", False, [("requested", 1, 0)]),  # moved on
    5: (1, "lost", "shape", False, [("requested", 1, 0)]),
    6: (1, "open", "shape", True, [("requested", 1, 0)]),
    7: (3, "open", "shape", False, [("requested", 3, 0)]),  # a team without a director
    8: (1, "open", "shape", False, [("reject", 10, 0), ("requested", 1, 20)]),  # asked again
}


def _seed(connection: sa.Connection) -> None:
    meta = sa.MetaData()
    names = ["teams", "users", "accounts", "playbook_versions", "opportunities", "approvals"]
    meta.reflect(connection, only=names)
    t = meta.tables
    stamps = {"created_at": AT, "updated_at": AT}
    connection.execute(
        sa.insert(t["teams"]), [{"id": i, "name": f"Team {i}", **stamps} for i in TEAMS]
    )
    connection.execute(
        sa.insert(t["users"]),
        [
            {
                "id": i,
                "name": f"User {i}",
                "email": f"u{i}@example.com",
                "password_hash": "x",
                "role": role,
                "team_id": team,
                "active": active,
                "session_generation": 0,
                **stamps,
            }
            for i, (role, team, active) in USERS.items()
        ],
    )
    for team_id, (director_id, _active) in TEAMS.items():
        connection.execute(
            sa.update(t["teams"]).where(t["teams"].c.id == team_id).values(director_id=director_id)
        )
    connection.execute(
        sa.insert(t["accounts"]),
        [
            {"id": i, "name": f"Account {i}", "team_id": i, "tier": "A", "version": 1, **stamps}
            for i in TEAMS
        ],
    )
    connection.execute(
        sa.insert(t["playbook_versions"]),
        {
            "id": 1,
            "key": "enterprise",
            "version": 1,
            "content_hash": "0" * 64,
            "name": {"en": "Enterprise deal"},
            "source": SOURCE,
            "loaded_at": AT,
        },
    )
    for deal_id, (team, status, stage, deleted, records) in DEALS.items():
        connection.execute(
            sa.insert(t["opportunities"]),
            {
                "id": deal_id,
                "account_id": team,
                "playbook_version_id": 1,
                "name": f"Deal {deal_id}",
                "currency": "CNY",
                "stage_key": stage,
                "stage_entered_at": AT,
                "status": status,
                "closed_at": None if status == "open" else AT,
                "deleted_at": AT if deleted else None,
                "version": 1,
                **stamps,
            },
        )
        for decision, actor, minutes in records:
            role = USERS[actor][0]
            connection.execute(
                sa.insert(t["approvals"]),
                {
                    "opportunity_id": deal_id,
                    "stage_key": "shape",
                    "gate_key": "atb",
                    "decision": decision,
                    "comment": f"Asked on deal {deal_id}" if decision == "requested" else "Why",
                    "actor_id": actor,
                    "actor_role": role,
                    "at": AT + timedelta(minutes=minutes),
                },
            )


def _requests(connection: sa.Connection) -> dict[int, tuple]:
    rows = connection.execute(
        sa.text(
            "SELECT opportunity_id, kind, status, title, details, stage_key, gate_key,"
            " requester_id, assignee_id, needed_by, rush, created_at FROM internal_requests"
            " ORDER BY opportunity_id"
        )
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _moment(value) -> datetime:
    value = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return value.replace(tzinfo=UTC)


def test_pending_decisions_become_open_decision_requests(tmp_path):
    url = fresh_database_url(str(tmp_path), "decision_requests")
    app = make_app(url)
    try:
        with app.app_context():
            upgrade(revision=BEFORE)
            with db.engine.begin() as connection:
                _seed(connection)
            upgrade(revision=AFTER)
            with db.engine.connect() as connection:
                found = _requests(connection)
                history = connection.execute(
                    sa.text(
                        "SELECT r.opportunity_id, c.from_status, c.to_status, c.actor_id"
                        " FROM internal_request_changes c"
                        " JOIN internal_requests r ON r.id = c.request_id ORDER BY 1"
                    )
                ).all()
            assert sorted(found) == [1, 2, 8]
            monday = date(2026, 11, 24)  # Friday + 2 working days
            kind, status, title, details, stage, gate, asker, assignee, due, rush, at = found[1]
            assert (kind, status, title, details, stage, gate) == (
                "decision",
                "open",
                "Approve to bid",
                "Asked on deal 1",
                "shape",
                "atb",
            )
            assert (asker, assignee, _day(due), bool(rush), _moment(at)) == (
                1,
                10,
                monday,
                False,
                AT,
            )
            assert found[2][6:8] == (2, 21)  # the named director left: the first active one
            assert found[8][6:8] == (1, 10) and _moment(found[8][10]) == AT + timedelta(minutes=20)
            assert [tuple(h) for h in history] == [
                (1, None, "open", 1),
                (2, None, "open", 2),
                (8, None, "open", 1),
            ]
            downgrade(revision=BEFORE)
            with db.engine.connect() as connection:
                tables = sa.inspect(connection).get_table_names()
                assert "internal_requests" not in tables
                count = connection.execute(sa.text("SELECT COUNT(*) FROM approvals")).scalar()
                assert count == 10  # the decision records are never changed
            db.session.remove()
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_database(url)
