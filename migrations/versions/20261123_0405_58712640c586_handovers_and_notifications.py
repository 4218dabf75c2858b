"""handovers and notifications: a handover's people, due date and creator; per account the old
person's roles, the key contacts and the risk at creation; in-app notifications, unique per
(user, key)

Revision ID: 58712640c586
Revises: 2ce2f1b7eb49
Create Date: 2026-11-23 04:05:52.067440

"""
from alembic import op
import sqlalchemy as sa

import salesflow.db


# revision identifiers, used by Alembic.
revision = '58712640c586'
down_revision = '2ce2f1b7eb49'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('handovers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('from_user_id', sa.Integer(), nullable=False),
    sa.Column('to_user_id', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('completed_at', salesflow.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_handovers_created_by_id_users')),
    sa.ForeignKeyConstraint(['from_user_id'], ['users.id'], name=op.f('fk_handovers_from_user_id_users')),
    sa.ForeignKeyConstraint(['to_user_id'], ['users.id'], name=op.f('fk_handovers_to_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handovers'))
    )
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handovers_from_user_id'), ['from_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handovers_to_user_id'), ['to_user_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=True),
    sa.Column('key', sa.String(length=120), nullable=True),
    sa.Column('created_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.Column('read_at', salesflow.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_notifications_user_id_key'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_user_id_read_at', ['user_id', 'read_at'], unique=False)

    op.create_table('handover_accounts',
    sa.Column('handover_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('key_contact_ids', sa.JSON(), nullable=False),
    sa.Column('risk_before', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_handover_accounts_account_id_accounts')),
    sa.ForeignKeyConstraint(['handover_id'], ['handovers.id'], name=op.f('fk_handover_accounts_handover_id_handovers')),
    sa.PrimaryKeyConstraint('handover_id', 'account_id', name=op.f('pk_handover_accounts'))
    )
    with op.batch_alter_table('handover_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_accounts_account_id'), ['account_id'], unique=False)



def downgrade():
    with op.batch_alter_table('handover_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_accounts_account_id'))

    op.drop_table('handover_accounts')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_id_read_at')

    op.drop_table('notifications')
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handovers_to_user_id'))
        batch_op.drop_index(batch_op.f('ix_handovers_from_user_id'))

    op.drop_table('handovers')
