"""opportunities: indexes covering what the review's outcomes and movement read (issue 15)

Won and lost in a period, their loss reasons and their cycles are read from the index by close
moment alone (with the deletion, the account, the loss reason and the creation), and the deals
created in a week from one by creation, never from the deals' full rows.

Revision ID: c4e8a2d6f915
Revises: 8577612f8bcb
Create Date: 2026-12-01 22:35:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "c4e8a2d6f915"
down_revision = "8577612f8bcb"
branch_labels = None
depends_on = None

COVERING = ["closed_at", "status", "deleted_at", "account_id", "loss_reason", "created_at"]


def upgrade():
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_index("ix_opportunities_closed_at")
        batch_op.create_index("ix_opportunities_closed_at", COVERING, unique=False)
        batch_op.create_index(
            "ix_opportunities_created_at", ["created_at", "deleted_at", "account_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_index("ix_opportunities_created_at")
        batch_op.drop_index("ix_opportunities_closed_at")
        batch_op.create_index("ix_opportunities_closed_at", ["closed_at", "status"], unique=False)
