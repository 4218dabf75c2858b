"""account_budgets (the yearly relationship budget of an account, issue 17)

One row per account, year and currency, versioned; the spend is read from the interactions'
costs.

Revision ID: f2a6c81d4b57
Revises: e5c91b7d2a43
Create Date: 2026-12-01 23:30:00

"""

import sqlalchemy as sa
from alembic import op

import salesflow.db

# revision identifiers, used by Alembic.
revision = "f2a6c81d4b57"
down_revision = "e5c91b7d2a43"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "account_budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("created_at", salesflow.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", salesflow.db.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_account_budgets_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_budgets")),
        sa.UniqueConstraint(
            "account_id",
            "year",
            "currency",
            name=op.f("uq_account_budgets_account_id_year_currency"),
        ),
    )


def downgrade():
    op.drop_table("account_budgets")
