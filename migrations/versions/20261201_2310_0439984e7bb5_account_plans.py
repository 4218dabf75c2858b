"""account_plans and plan_objectives (the yearly account plan, issue 17)

One plan per account and year: vision, priorities and the relationship SWOT, versioned; its
objectives (a kind, a title, a due date and the kind's parameters) are measured by the data.

Revision ID: 0439984e7bb5
Revises: a3f17c0e9b21
Create Date: 2026-12-01 23:10:00

"""

import sqlalchemy as sa
from alembic import op

import salesflow.db

# revision identifiers, used by Alembic.
revision = "0439984e7bb5"
down_revision = "a3f17c0e9b21"
branch_labels = None
depends_on = None

KIND = sa.Enum(
    "contact_attitude",
    "decision_makers_held",
    "executive_exchange",
    name="objectivekind",
    native_enum=False,
    length=24,
)


def upgrade():
    op.create_table(
        "account_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("vision", sa.Text(), nullable=True),
        sa.Column("priorities", sa.Text(), nullable=True),
        sa.Column("strengths", sa.Text(), nullable=True),
        sa.Column("weaknesses", sa.Text(), nullable=True),
        sa.Column("opportunities", sa.Text(), nullable=True),
        sa.Column("threats", sa.Text(), nullable=True),
        sa.Column("created_at", salesflow.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", salesflow.db.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_account_plans_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_plans")),
        sa.UniqueConstraint("account_id", "year", name=op.f("uq_account_plans_account_id_year")),
    )
    op.create_table(
        "plan_objectives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("kind", KIND, nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["account_plans.id"], name=op.f("fk_plan_objectives_plan_id_account_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_objectives")),
    )
    with op.batch_alter_table("plan_objectives", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_objectives_plan_id"), ["plan_id"], unique=False)


def downgrade():
    with op.batch_alter_table("plan_objectives", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_objectives_plan_id"))
    op.drop_table("plan_objectives")
    op.drop_table("account_plans")
