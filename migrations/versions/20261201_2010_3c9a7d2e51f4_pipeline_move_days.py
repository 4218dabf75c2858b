"""pipeline: the daily aggregate of moves the review reads (issue 15)

Per day (company calendar), team, playbook version, stage left, move and gate result, how many
deals left a stage; with each account's team and deletion and the deleted deals as of the build,
and the build's last day. Empty after upgrading: the review counts live until the scheduler's
`pipeline_moves` job or `flask pipeline rebuild-moves` fills it.

Revision ID: 3c9a7d2e51f4
Revises: 7e3b51c0a9d4
Create Date: 2026-12-01 20:10:00

"""
import sqlalchemy as sa
from alembic import op

from salesflow.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = '3c9a7d2e51f4'
down_revision = '7e3b51c0a9d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pipeline_move_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('playbook_version_id', sa.Integer(), nullable=False),
    sa.Column('from_stage', sa.String(length=60), nullable=True),
    sa.Column('move', sa.Enum('created', 'advanced', 'moved_back', 'won', 'lost', 'reopened', name='move', native_enum=False, length=24), nullable=False),
    sa.Column('gates_met', sa.Boolean(), nullable=False),
    sa.Column('overridden', sa.Boolean(), nullable=False),
    sa.Column('moves', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['playbook_version_id'], ['playbook_versions.id'], name=op.f('fk_pipeline_move_days_playbook_version_id_playbook_versions')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_pipeline_move_days_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pipeline_move_days'))
    )
    with op.batch_alter_table('pipeline_move_days', schema=None) as batch_op:
        batch_op.create_index('ix_pipeline_move_days_day_team_id', ['day', 'team_id'], unique=False)

    op.create_table('pipeline_move_accounts',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_pipeline_move_accounts_account_id_accounts')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_pipeline_move_accounts_team_id_teams')),
    sa.PrimaryKeyConstraint('account_id', name=op.f('pk_pipeline_move_accounts'))
    )
    op.create_table('pipeline_move_builds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('through', sa.Date(), nullable=False),
    sa.Column('built_at', UTCDateTime(), nullable=False),
    sa.Column('deleted_deals', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pipeline_move_builds'))
    )


def downgrade():
    op.drop_table('pipeline_move_builds')
    op.drop_table('pipeline_move_accounts')
    with op.batch_alter_table('pipeline_move_days', schema=None) as batch_op:
        batch_op.drop_index('ix_pipeline_move_days_day_team_id')

    op.drop_table('pipeline_move_days')
