"""opportunities closed_at index: the review's won and lost in a period

Revision ID: 4c5040f4f43a
Revises: e5ee83a1e2ed
Create Date: 2026-11-23 10:05:56.619671

"""
from alembic import op
import sqlalchemy as sa

import salesflow.db


# revision identifiers, used by Alembic.
revision = '4c5040f4f43a'
down_revision = 'e5ee83a1e2ed'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.create_index('ix_opportunities_closed_at', ['closed_at', 'status'], unique=False)



def downgrade():
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_index('ix_opportunities_closed_at')

