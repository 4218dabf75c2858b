"""login throttles: per account, address and device cookie, replacing login attempts

Failed logins were rows of login_attempts, counted per e-mail or address; they are now counters
in login_throttles, one row per (scope, key), locked and raised before a password is checked.
The old rows are dropped: at worst an attacker's last 15 minutes of failures are forgotten.

Revision ID: c8d83653d3b0
Revises: 4c5040f4f43a
Create Date: 2026-12-01 15:18:18.814256

"""
from alembic import op
import sqlalchemy as sa

import salesflow.db


# revision identifiers, used by Alembic.
revision = 'c8d83653d3b0'
down_revision = '4c5040f4f43a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_throttles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.Enum('account', 'address', 'device', name='throttlescope', native_enum=False, length=24), nullable=False),
    sa.Column('key', sa.String(length=254), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_started_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.Column('locked_until', salesflow.db.UTCDateTime(), nullable=True),
    sa.Column('lockouts', sa.Integer(), nullable=False),
    sa.Column('last_failed_at', salesflow.db.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttles')),
    sa.UniqueConstraint('scope', 'key', name=op.f('uq_login_throttles_scope_key'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_email_at')
        batch_op.drop_index(batch_op.f('ix_login_attempts_ip'))

    op.drop_table('login_attempts')


def downgrade():
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('at', salesflow.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_email_at', ['email', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_attempts_ip'), ['ip'], unique=False)

    op.drop_table('login_throttles')
