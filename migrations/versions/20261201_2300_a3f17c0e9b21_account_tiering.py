"""accounts: yearly potential; account_tier_changes (tiering, issue 17)

The AR's estimate of what an account could buy in a year (in its own currency) feeds the
suggested tier; each director's decision on it (confirmed, or kept with a reason) is kept.

Revision ID: a3f17c0e9b21
Revises: c4e8a2d6f915
Create Date: 2026-12-01 23:00:00

"""

import sqlalchemy as sa
from alembic import op

import salesflow.db

# revision identifiers, used by Alembic.
revision = "a3f17c0e9b21"
down_revision = "c4e8a2d6f915"
branch_labels = None
depends_on = None

TIER = sa.Enum("A", "B", "C", name="tier", native_enum=False, length=24)


def upgrade():
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("yearly_potential", sa.Numeric(16, 2), nullable=True))
        batch_op.add_column(sa.Column("potential_currency", sa.String(length=3), nullable=True))
    op.create_table(
        "account_tier_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("from_tier", TIER, nullable=False),
        sa.Column("to_tier", TIER, nullable=False),
        sa.Column("suggested", TIER, nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", salesflow.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_account_tier_changes_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_account_tier_changes_actor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_tier_changes")),
    )
    with op.batch_alter_table("account_tier_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_tier_changes_account_id"), ["account_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("account_tier_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_tier_changes_account_id"))
    op.drop_table("account_tier_changes")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("potential_currency")
        batch_op.drop_column("yearly_potential")
