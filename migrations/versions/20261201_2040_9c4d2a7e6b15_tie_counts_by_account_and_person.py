"""tie_touches: the covering index by account, person and contact (not by account and day)

The whole company's live dependency figures and a departure's accounts group the day counts by
account, person and contact: read from an index in that order, SQLite groups them as it reads
instead of sorting a million rows (measured 0.7 s instead of 2.5 s on a loaded 2-core machine).

Revision ID: 9c4d2a7e6b15
Revises: 8b2f4c6d1e73
Create Date: 2026-12-01 20:40:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "9c4d2a7e6b15"
down_revision = "8b2f4c6d1e73"
branch_labels = None
depends_on = None

COLUMNS = ["account_id", "user_id", "contact_id", "day", "touches"]
OLD = ["account_id", "day", "user_id", "contact_id", "touches"]


def upgrade():
    with op.batch_alter_table("tie_touches", schema=None) as batch_op:
        batch_op.drop_index("ix_tie_touches_account_id_day")
        batch_op.create_index("ix_tie_touches_account_id_user_id", COLUMNS, unique=False)


def downgrade():
    with op.batch_alter_table("tie_touches", schema=None) as batch_op:
        batch_op.drop_index("ix_tie_touches_account_id_user_id")
        batch_op.create_index("ix_tie_touches_account_id_day", OLD, unique=False)
