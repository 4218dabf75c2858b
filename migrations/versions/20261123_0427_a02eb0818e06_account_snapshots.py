"""account snapshots: each account's dependency figures per day, for the trend

Revision ID: a02eb0818e06
Revises: 58712640c586
Create Date: 2026-11-23 04:27:22.219715

"""
from alembic import op
import sqlalchemy as sa

import salesflow.db


# revision identifiers, used by Alembic.
revision = 'a02eb0818e06'
down_revision = '58712640c586'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=True),
    sa.Column('top_share', sa.Double(), nullable=True),
    sa.Column('effective_holders', sa.Double(), nullable=True),
    sa.Column('key_contacts', sa.Integer(), nullable=False),
    sa.Column('uncovered_key_contacts', sa.Integer(), nullable=False),
    sa.Column('single_threaded_key_contacts', sa.Integer(), nullable=False),
    sa.Column('multi_threaded_coverage', sa.Double(), nullable=True),
    sa.Column('bus_factor', sa.Integer(), nullable=False),
    sa.Column('risk', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_account_snapshots_account_id_accounts')),
    sa.ForeignKeyConstraint(['holder_id'], ['users.id'], name=op.f('fk_account_snapshots_holder_id_users')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_account_snapshots_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_snapshots')),
    sa.UniqueConstraint('day', 'account_id', name=op.f('uq_account_snapshots_day_account_id'))
    )
    with op.batch_alter_table('account_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_snapshots_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_snapshots_day'), ['day'], unique=False)



def downgrade():
    with op.batch_alter_table('account_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_snapshots_day'))
        batch_op.drop_index(batch_op.f('ix_account_snapshots_account_id'))

    op.drop_table('account_snapshots')
