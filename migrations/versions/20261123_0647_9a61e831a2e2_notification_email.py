"""notification e-mail: state, attempts, next try, sent time and last error

Revision ID: 9a61e831a2e2
Revises: 69704eb07150
Create Date: 2026-11-23 06:47:45.901261

"""
from alembic import op
import sqlalchemy as sa

import salesflow.db


# revision identifiers, used by Alembic.
revision = '9a61e831a2e2'
down_revision = '69704eb07150'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_state', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('email_attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('email_next_at', salesflow.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('email_sent_at', salesflow.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('email_error', sa.Text(), nullable=True))
        batch_op.create_index('ix_notifications_email_state_email_next_at', ['email_state', 'email_next_at'], unique=False)



def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_email_state_email_next_at')
        batch_op.drop_column('email_error')
        batch_op.drop_column('email_sent_at')
        batch_op.drop_column('email_next_at')
        batch_op.drop_column('email_attempts')
        batch_op.drop_column('email_state')

