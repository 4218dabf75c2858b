"""pipeline snapshots and job runs: each open opportunity per day, for the week's movement; one row per job run, the claim that makes each run happen once

Revision ID: 5225769554d3
Revises: a02eb0818e06
Create Date: 2026-11-23 06:16:26.846366

"""
from alembic import op
import sqlalchemy as sa

import salesflow.db


# revision identifiers, used by Alembic.
revision = '5225769554d3'
down_revision = 'a02eb0818e06'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=60), nullable=False),
    sa.Column('run_key', sa.String(length=40), nullable=False),
    sa.Column('worker', sa.String(length=120), nullable=False),
    sa.Column('started_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.Column('finished_at', salesflow.db.UTCDateTime(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    sa.UniqueConstraint('job', 'run_key', name=op.f('uq_job_runs_job_run_key'))
    )
    op.create_table('pipeline_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('playbook_key', sa.String(length=60), nullable=False),
    sa.Column('stage_key', sa.String(length=60), nullable=False),
    sa.Column('stage_index', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('expected_close', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_pipeline_snapshots_opportunity_id_opportunities')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_pipeline_snapshots_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pipeline_snapshots')),
    sa.UniqueConstraint('day', 'opportunity_id', name=op.f('uq_pipeline_snapshots_day_opportunity_id'))
    )
    with op.batch_alter_table('pipeline_snapshots', schema=None) as batch_op:
        batch_op.create_index('ix_pipeline_snapshots_day_team_id', ['day', 'team_id'], unique=False)



def downgrade():
    with op.batch_alter_table('pipeline_snapshots', schema=None) as batch_op:
        batch_op.drop_index('ix_pipeline_snapshots_day_team_id')

    op.drop_table('pipeline_snapshots')
    op.drop_table('job_runs')
