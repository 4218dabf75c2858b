"""dependency: today's snapshot rows kept up to date as tie counts change; tie counts by account

`account_snapshots.refreshed_at`: when a row of the day's snapshot was recomputed in the
transaction that changed its account's tie counts (quick logs, edits, deletes, restores, merges),
so the report trusts it past the snapshot's moment. `ix_tie_touches_account_id_day`: the day
counts of a set of accounts within the tie window, from the index alone (the departure
simulation and every refresh; SQLite otherwise built a temporary index on each request).

Revision ID: 6d1e5f0a9b21
Revises: 5a1c0d2e7f43
Create Date: 2026-12-01 20:00:00

"""

import sqlalchemy as sa
from alembic import op

import salesflow.db

# revision identifiers, used by Alembic.
revision = "6d1e5f0a9b21"
down_revision = "5a1c0d2e7f43"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("account_snapshots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refreshed_at", salesflow.db.UTCDateTime(), nullable=True))
    with op.batch_alter_table("tie_touches", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tie_touches_account_id_day",
            ["account_id", "day", "user_id", "contact_id", "touches"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("tie_touches", schema=None) as batch_op:
        batch_op.drop_index("ix_tie_touches_account_id_day")
    with op.batch_alter_table("account_snapshots", schema=None) as batch_op:
        batch_op.drop_column("refreshed_at")
