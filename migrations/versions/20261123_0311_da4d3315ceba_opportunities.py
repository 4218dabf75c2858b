"""opportunities: playbook versions, opportunities, iron-triangle roles, stage history, checklist
ticks, approvals; interactions may name the opportunity they worked on

Revision ID: da4d3315ceba
Revises: 5596b987d9c7
Create Date: 2026-11-23 03:11:13.507892

"""
from alembic import op
import sqlalchemy as sa

import salesflow.db


# revision identifiers, used by Alembic.
revision = 'da4d3315ceba'
down_revision = '5596b987d9c7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('playbook_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('name', sa.JSON(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('loaded_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_playbook_versions')),
    sa.UniqueConstraint('key', 'version', name=op.f('uq_playbook_versions_key_version'))
    )
    op.create_table('opportunities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('playbook_version_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('expected_close', sa.Date(), nullable=True),
    sa.Column('customer_need', sa.Text(), nullable=True),
    sa.Column('competitors', sa.String(length=500), nullable=True),
    sa.Column('stage_key', sa.String(length=60), nullable=False),
    sa.Column('stage_entered_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.Column('status', sa.Enum('open', 'won', 'lost', name='status', native_enum=False, length=24), nullable=False),
    sa.Column('closed_at', salesflow.db.UTCDateTime(), nullable=True),
    sa.Column('close_reason', sa.String(length=500), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.Column('deleted_at', salesflow.db.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_opportunities_account_id_accounts')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_opportunities_created_by_id_users')),
    sa.ForeignKeyConstraint(['playbook_version_id'], ['playbook_versions.id'], name=op.f('fk_opportunities_playbook_version_id_playbook_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opportunities'))
    )
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opportunities_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opportunities_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index('ix_opportunities_expected_close', ['expected_close'], unique=False)
        batch_op.create_index('ix_opportunities_status_stage', ['status', 'playbook_version_id', 'stage_key'], unique=False)

    op.create_table('approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('stage_key', sa.String(length=60), nullable=False),
    sa.Column('gate_key', sa.String(length=60), nullable=False),
    sa.Column('decision', sa.Enum('requested', 'approve', 'reject', name='decision', native_enum=False, length=24), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('actor_role', sa.String(length=24), nullable=False),
    sa.Column('at', salesflow.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_approvals_actor_id_users')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_approvals_opportunity_id_opportunities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approvals'))
    )
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.create_index('ix_approvals_opportunity_id', ['opportunity_id', 'gate_key'], unique=False)

    op.create_table('checklist_ticks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('stage_key', sa.String(length=60), nullable=False),
    sa.Column('item_key', sa.String(length=60), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('ticked_by_id', sa.Integer(), nullable=False),
    sa.Column('ticked_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.Column('cleared_at', salesflow.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_checklist_ticks_opportunity_id_opportunities')),
    sa.ForeignKeyConstraint(['ticked_by_id'], ['users.id'], name=op.f('fk_checklist_ticks_ticked_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_ticks')),
    sa.UniqueConstraint('opportunity_id', 'stage_key', 'item_key', name=op.f('uq_checklist_ticks_opportunity_id_stage_key_item_key'))
    )
    op.create_table('opportunity_roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('AR', 'SR', 'FR', name='trianglerole', native_enum=False, length=24), nullable=False),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_opportunity_roles_opportunity_id_opportunities')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_opportunity_roles_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opportunity_roles')),
    sa.UniqueConstraint('opportunity_id', 'role', name=op.f('uq_opportunity_roles_opportunity_id_role'))
    )
    with op.batch_alter_table('opportunity_roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opportunity_roles_user_id'), ['user_id'], unique=False)

    op.create_table('stage_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('at', salesflow.db.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('move', sa.Enum('created', 'advanced', 'moved_back', 'won', 'lost', 'reopened', name='move', native_enum=False, length=24), nullable=False),
    sa.Column('from_stage', sa.String(length=60), nullable=True),
    sa.Column('to_stage', sa.String(length=60), nullable=False),
    sa.Column('gates', sa.JSON(), nullable=False),
    sa.Column('gates_met', sa.Boolean(), nullable=False),
    sa.Column('overridden', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_stage_changes_actor_id_users')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_stage_changes_opportunity_id_opportunities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_changes'))
    )
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_changes_at'), ['at'], unique=False)
        batch_op.create_index('ix_stage_changes_opportunity_id', ['opportunity_id', 'id'], unique=False)

    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opportunity_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_interactions_opportunity_id'), ['opportunity_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_interactions_opportunity_id_opportunities'), 'opportunities', ['opportunity_id'], ['id'])



def downgrade():
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_interactions_opportunity_id_opportunities'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_interactions_opportunity_id'))
        batch_op.drop_column('opportunity_id')

    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_stage_changes_opportunity_id')
        batch_op.drop_index(batch_op.f('ix_stage_changes_at'))

    op.drop_table('stage_changes')
    with op.batch_alter_table('opportunity_roles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opportunity_roles_user_id'))

    op.drop_table('opportunity_roles')
    op.drop_table('checklist_ticks')
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.drop_index('ix_approvals_opportunity_id')

    op.drop_table('approvals')
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_index('ix_opportunities_status_stage')
        batch_op.drop_index('ix_opportunities_expected_close')
        batch_op.drop_index(batch_op.f('ix_opportunities_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_opportunities_account_id'))

    op.drop_table('opportunities')
    op.drop_table('playbook_versions')
