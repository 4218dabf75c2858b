"""dependency live from snapshots: today's snapshot keeps its time, shares and key contact ids; tie changes say which accounts it no longer answers for

Revision ID: 69704eb07150
Revises: 5225769554d3
Create Date: 2026-11-23 06:26:21.880838

"""
from alembic import op
import sqlalchemy as sa

import salesflow.db


# revision identifiers, used by Alembic.
revision = '69704eb07150'
down_revision = '5225769554d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tie_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('at', salesflow.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_tie_changes_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tie_changes'))
    )
    with op.batch_alter_table('tie_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tie_changes_at'), ['at'], unique=False)

    with op.batch_alter_table('account_snapshots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('taken_at', salesflow.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('shares', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('key_contact_ids', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('uncovered_ids', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('single_threaded_ids', sa.JSON(), nullable=True))



def downgrade():
    with op.batch_alter_table('account_snapshots', schema=None) as batch_op:
        batch_op.drop_column('single_threaded_ids')
        batch_op.drop_column('uncovered_ids')
        batch_op.drop_column('key_contact_ids')
        batch_op.drop_column('shares')
        batch_op.drop_column('taken_at')

    with op.batch_alter_table('tie_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tie_changes_at'))

    op.drop_table('tie_changes')
