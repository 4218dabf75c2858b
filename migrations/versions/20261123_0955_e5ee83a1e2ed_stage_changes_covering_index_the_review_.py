"""stage changes covering index: the review's period figures count moves from the index alone

Revision ID: e5ee83a1e2ed
Revises: 9a61e831a2e2
Create Date: 2026-11-23 09:55:25.195338

"""
from alembic import op
import sqlalchemy as sa

import salesflow.db


# revision identifiers, used by Alembic.
revision = 'e5ee83a1e2ed'
down_revision = '9a61e831a2e2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_stage_changes_at')
        batch_op.create_index('ix_stage_changes_at_move', ['at', 'move', 'opportunity_id', 'from_stage', 'gates_met', 'overridden'], unique=False)



def downgrade():
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_stage_changes_at_move')
        batch_op.create_index('ix_stage_changes_at', ['at'], unique=False)

