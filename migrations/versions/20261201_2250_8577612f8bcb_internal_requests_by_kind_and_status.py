"""internal_requests: the index by kind, status and when asked (the pending decisions)

The pending decisions (My day, the review, the board) read the open requests of kind `decision`
oldest first. Without this index SQLite, knowing nothing of a new table, started from the open
deals and probed each for a request: 1.2 s for a director and 2.2 s for the review's count on
the full-size data, 60-110 ms with it.

Revision ID: 8577612f8bcb
Revises: b7d3e9a41c26
Create Date: 2026-12-01 22:50:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "8577612f8bcb"
down_revision = "b7d3e9a41c26"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("internal_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_internal_requests_kind_status", ["kind", "status", "created_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("internal_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_internal_requests_kind_status")
