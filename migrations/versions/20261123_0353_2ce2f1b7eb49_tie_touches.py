"""tie touches: per (account, contact, user, day) how many interactions the two shared, filled from
the interactions already logged

Revision ID: 2ce2f1b7eb49
Revises: da4d3315ceba
Create Date: 2026-11-23 03:53:51.587004

"""
from collections import Counter
from datetime import date
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa
from flask import current_app

import salesflow.db


# revision identifiers, used by Alembic.
revision = '2ce2f1b7eb49'
down_revision = 'da4d3315ceba'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tie_touches',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Integer(), nullable=False),
    sa.Column('touches', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_tie_touches_account_id_accounts')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_tie_touches_contact_id_contacts')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tie_touches_user_id_users')),
    sa.PrimaryKeyConstraint('account_id', 'contact_id', 'user_id', 'day', name=op.f('pk_tie_touches'))
    )
    with op.batch_alter_table('tie_touches', schema=None) as batch_op:
        batch_op.create_index('ix_tie_touches_day', ['day', 'account_id', 'contact_id', 'user_id', 'touches'], unique=False)
        batch_op.create_index('ix_tie_touches_user_id_day', ['user_id', 'day'], unique=False)

    _fill()


def _fill():
    """Count the touches of every interaction not deleted, by day on the company's calendar (the
    same rule as salesflow.dependency.touches, written against this revision's tables)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    epoch = date(1970, 1, 1).toordinal()
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT i.account_id, a.contact_id, p.user_id, i.occurred_at FROM interactions i "
        "JOIN interaction_attendees a ON a.interaction_id = i.id "
        "JOIN interaction_participants p ON p.interaction_id = i.id "
        "WHERE i.deleted_at IS NULL"
    ).columns(occurred_at=salesflow.db.UTCDateTime()))
    counts = Counter(
        (account, contact, user, at.astimezone(zone).date().toordinal() - epoch)
        for account, contact, user, at in rows
    )
    table = sa.table("tie_touches", *(sa.column(c) for c in (
        "account_id", "contact_id", "user_id", "day", "touches")))
    values = [
        {"account_id": a, "contact_id": c, "user_id": u, "day": d, "touches": n}
        for (a, c, u, d), n in counts.items()
    ]
    for start in range(0, len(values), 5000):
        op.bulk_insert(table, values[start:start + 5000])


def downgrade():
    with op.batch_alter_table('tie_touches', schema=None) as batch_op:
        batch_op.drop_index('ix_tie_touches_user_id_day')
        batch_op.drop_index('ix_tie_touches_day')

    op.drop_table('tie_touches')
