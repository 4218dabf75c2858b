"""internal_requests and their changes; pending decisions become open decision requests

Requests between our people (issue 16). Each pending decision — the latest record of its
decision point is a request, on an open deal still in the stage it was asked in — becomes an
open request of kind `decision` to the team's director (its named director when active, else
its first active director; a team with none keeps its decision on the deal only), asked by the
person who asked, at the moment they asked, needed two working days later. Walking back drops
the requests; the approvals themselves are never changed.

Revision ID: 1c925ab78572
Revises: 9c4d2a7e6b15
Create Date: 2026-12-01 22:00:00

"""

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
import yaml
from alembic import op

# revision identifiers, used by Alembic.
revision = "1c925ab78572"
down_revision = "9c4d2a7e6b15"
branch_labels = None
depends_on = None

DECISION_LEAD_DAYS = 2
ZONE_OFFSET = timedelta(hours=8)  # the company's day for the needed-by date (Asia/Shanghai)


def upgrade():
    op.create_table(
        "internal_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=True),
        sa.Column("stage_key", sa.String(length=60), nullable=True),
        sa.Column("gate_key", sa.String(length=60), nullable=True),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("needed_by", sa.Date(), nullable=False),
        sa.Column("rush", sa.Boolean(), nullable=False),
        sa.Column("rush_reason", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "accepted",
                "in_progress",
                "on_hold",
                "done",
                "declined",
                "cancelled",
                name="status",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("delivered", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rating_comment", sa.Text(), nullable=True),
        sa.Column("rating_at", sa.DateTime(), nullable=True),
        sa.Column("rating_dismissed", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_internal_requests_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_internal_requests_assignee_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_internal_requests_opportunity_id_opportunities"),
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"], ["users.id"], name=op.f("fk_internal_requests_requester_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_internal_requests")),
    )
    with op.batch_alter_table("internal_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_internal_requests_assignee", ["assignee_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_internal_requests_requester", ["requester_id", "status"], unique=False
        )
        batch_op.create_index("ix_internal_requests_opportunity", ["opportunity_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_internal_requests_account_id"), ["account_id"], unique=False
        )
    op.create_table(
        "internal_request_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "open",
                "accepted",
                "in_progress",
                "on_hold",
                "done",
                "declined",
                "cancelled",
                name="status",
                native_enum=False,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "open",
                "accepted",
                "in_progress",
                "on_hold",
                "done",
                "declined",
                "cancelled",
                name="status",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_internal_request_changes_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["internal_requests.id"],
            name=op.f("fk_internal_request_changes_request_id_internal_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_internal_request_changes")),
    )
    with op.batch_alter_table("internal_request_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_internal_request_changes_request", ["request_id", "id"], unique=False
        )
    _pending_decisions_become_requests()


def downgrade():
    with op.batch_alter_table("internal_request_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_internal_request_changes_request")
    op.drop_table("internal_request_changes")
    with op.batch_alter_table("internal_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_internal_requests_account_id"))
        batch_op.drop_index("ix_internal_requests_opportunity")
        batch_op.drop_index("ix_internal_requests_requester")
        batch_op.drop_index("ix_internal_requests_assignee")
    op.drop_table("internal_requests")


# The data: pending decisions -------------------------------------------------------------------

_PENDING = sa.text(
    """
    SELECT a.id, a.opportunity_id, a.stage_key, a.gate_key, a.comment, a.actor_id, a.at,
           o.account_id, o.playbook_version_id, t.team_id
    FROM approvals a
    JOIN opportunities o ON o.id = a.opportunity_id
    JOIN accounts t ON t.id = o.account_id
    WHERE a.decision = 'requested'
      AND o.status = 'open' AND o.deleted_at IS NULL AND t.deleted_at IS NULL
      AND o.stage_key = a.stage_key
      AND NOT EXISTS (
        SELECT 1 FROM approvals b
        WHERE b.opportunity_id = a.opportunity_id AND b.gate_key = a.gate_key
          AND (b.at > a.at OR (b.at = a.at AND b.id > a.id)))
    ORDER BY a.at, a.id
    """
)


def _directors(connection) -> dict[int, int]:
    """{team id: whom its decisions are asked of}: the named director when active, else the
    team's first active director."""
    found: dict[int, int] = {}
    for team_id, user_id in connection.execute(
        sa.text(
            "SELECT u.team_id, u.id FROM users u WHERE u.role = 'director' AND u.active "
            "AND u.team_id IS NOT NULL ORDER BY u.id"
        )
    ):
        found.setdefault(team_id, user_id)
    for team_id, user_id in connection.execute(
        sa.text(
            "SELECT t.id, t.director_id FROM teams t JOIN users u ON u.id = t.director_id "
            "WHERE u.active"
        )
    ):
        found[team_id] = user_id
    return found


def _gate_names(connection, version_ids: set[int]) -> dict[tuple[int, str], str]:
    """{(playbook version, gate key): the gate's English name} from the stored playbooks."""
    names: dict[tuple[int, str], str] = {}
    if not version_ids:
        return names
    rows = connection.execute(
        sa.text("SELECT id, source FROM playbook_versions WHERE id IN :ids").bindparams(
            sa.bindparam("ids", expanding=True)
        ),
        {"ids": sorted(version_ids)},
    )
    for version_id, source in rows:
        try:
            stages = (yaml.safe_load(source) or {}).get("stages") or []
        except yaml.YAMLError:
            continue
        for stage in stages:
            for gate in (stage or {}).get("exit") or []:
                approval = gate.get("approval") if isinstance(gate, dict) else None
                if isinstance(approval, dict) and approval.get("key"):
                    name = approval.get("name") or {}
                    text = name.get("en") if isinstance(name, dict) else None
                    names[(version_id, approval["key"])] = str(text or approval["key"])
    return names


def _add_working_days(day: date, n: int) -> date:
    while n:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _moment(value) -> datetime:
    """A stored UTC moment (naive on both engines, as UTCDateTime writes it) as aware UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


TEXTS = ("kind", "title", "details", "stage_key", "gate_key", "status")
NUMBERS = ("account_id", "opportunity_id", "requester_id", "assignee_id", "version")


def _pending_decisions_become_requests() -> None:
    connection = op.get_bind()
    pending = connection.execute(_PENDING).all()
    if not pending:
        return
    directors = _directors(connection)
    names = _gate_names(connection, {row.playbook_version_id for row in pending})
    requests = sa.table(
        "internal_requests",
        *(sa.column(name, sa.String()) for name in TEXTS),
        *(sa.column(name, sa.Integer()) for name in NUMBERS),
        sa.column("needed_by", sa.Date()),
        sa.column("created_at", sa.DateTime()),
        sa.column("rush", sa.Boolean()),
        sa.column("rating_dismissed", sa.Boolean()),
    )
    rows = []
    for row in pending:
        assignee = directors.get(row.team_id)
        if assignee is None:
            continue
        at = _moment(row.at)
        rows.append(
            {
                "kind": "decision",
                "title": names.get((row.playbook_version_id, row.gate_key), row.gate_key)[:200],
                "details": row.comment,
                "account_id": row.account_id,
                "opportunity_id": row.opportunity_id,
                "stage_key": row.stage_key,
                "gate_key": row.gate_key,
                "requester_id": row.actor_id,
                "assignee_id": assignee,
                "needed_by": _add_working_days((at + ZONE_OFFSET).date(), DECISION_LEAD_DAYS),
                "rush": False,
                "status": "open",
                "created_at": at.replace(tzinfo=None),
                "rating_dismissed": False,
                "version": 1,
            }
        )
    if rows:
        op.bulk_insert(requests, rows)
        _history(connection)


def _history(connection) -> None:
    """Each migrated request's first line of history: opened by its requester when asked."""
    connection.execute(
        sa.text(
            "INSERT INTO internal_request_changes"
            " (request_id, from_status, to_status, actor_id, at)"
            " SELECT id, NULL, 'open', requester_id, created_at FROM internal_requests"
            " WHERE kind = 'decision'"
        )
    )
