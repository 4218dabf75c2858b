"""calendar feeds: each user's secret calendar address, only its hash kept

One row per user at most (a new address replaces the old one); a deactivated user's row is deleted.

Revision ID: fd914106e5ec
Revises: c8d83653d3b0
Create Date: 2026-12-01 16:14:52.181438

"""
from alembic import op
import sqlalchemy as sa

import salesflow.db


# revision identifiers, used by Alembic.
revision = 'fd914106e5ec'
down_revision = 'c8d83653d3b0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_feeds_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feeds')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feeds_token_hash')),
    sa.UniqueConstraint('user_id', name=op.f('uq_calendar_feeds_user_id'))
    )


def downgrade():
    op.drop_table('calendar_feeds')
