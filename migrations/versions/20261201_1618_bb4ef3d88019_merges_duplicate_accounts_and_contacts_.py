"""merges: duplicate accounts and contacts merged, with what undo needs

One row per merge (the survivor, its changed fields, a JSON journal of every repointed or dropped
row) and one per merged record (the pointer its old addresses follow). New tables only: no data
to move.

Revision ID: bb4ef3d88019
Revises: 21c5bbd0cdb0
Create Date: 2026-12-01 16:18:44.006146

"""
from alembic import op
import sqlalchemy as sa

import salesflow.db


# revision identifiers, used by Alembic.
revision = 'bb4ef3d88019'
down_revision = '21c5bbd0cdb0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('merges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('accounts', 'contacts', name='mergekind', native_enum=False, length=24), nullable=False),
    sa.Column('survivor_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('at', salesflow.db.UTCDateTime(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('journal', sa.JSON(), nullable=False),
    sa.Column('moved', sa.JSON(), nullable=False),
    sa.Column('undone_at', salesflow.db.UTCDateTime(), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.Column('kept', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_merges_account_id_accounts')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_merges_actor_id_users')),
    sa.ForeignKeyConstraint(['undone_by_id'], ['users.id'], name=op.f('fk_merges_undone_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_merges'))
    )
    with op.batch_alter_table('merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_merges_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_merges_at'), ['at'], unique=False)
        batch_op.create_index('ix_merges_kind_survivor_id', ['kind', 'survivor_id'], unique=False)

    op.create_table('merged_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merge_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('accounts', 'contacts', name='mergekind', native_enum=False, length=24), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['merge_id'], ['merges.id'], name=op.f('fk_merged_records_merge_id_merges')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_merged_records'))
    )
    with op.batch_alter_table('merged_records', schema=None) as batch_op:
        batch_op.create_index('ix_merged_records_kind_record_id', ['kind', 'record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_merged_records_merge_id'), ['merge_id'], unique=False)



def downgrade():
    with op.batch_alter_table('merged_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_merged_records_merge_id'))
        batch_op.drop_index('ix_merged_records_kind_record_id')

    op.drop_table('merged_records')
    with op.batch_alter_table('merges', schema=None) as batch_op:
        batch_op.drop_index('ix_merges_kind_survivor_id')
        batch_op.drop_index(batch_op.f('ix_merges_at'))
        batch_op.drop_index(batch_op.f('ix_merges_account_id'))

    op.drop_table('merges')
