"""account_expectations and perception_records (expectations and satisfaction, issue 17)

What each customer expects of us, who answers for it and by when, closed as met only with the
action done that met it; and the customer's perceived against expected scores (satisfaction).

Revision ID: e5c91b7d2a43
Revises: 0439984e7bb5
Create Date: 2026-12-01 23:20:00

"""

import sqlalchemy as sa
from alembic import op

import salesflow.db

# revision identifiers, used by Alembic.
revision = "e5c91b7d2a43"
down_revision = "0439984e7bb5"
branch_labels = None
depends_on = None


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, length=24)


def upgrade():
    op.create_table(
        "account_expectations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column(
            "category",
            _enum(
                "expectationcategory",
                "product",
                "delivery",
                "service",
                "price",
                "relationship",
                "other",
            ),
            nullable=False,
        ),
        sa.Column("owner_role", _enum("ownerrole", "AR", "SR", "FR"), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column(
            "status",
            _enum("expectationstatus", "open", "met", "missed", "withdrawn"),
            nullable=False,
        ),
        sa.Column("interaction_id", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("created_at", salesflow.db.UTCDateTime(), nullable=False),
        sa.Column("closed_at", salesflow.db.UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_expectations_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_account_expectations_interaction_id_interactions"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["internal_requests.id"],
            name=op.f("fk_account_expectations_request_id_internal_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_expectations")),
    )
    with op.batch_alter_table("account_expectations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_account_expectations_account_status", ["account_id", "status"], unique=False
        )
    op.create_table(
        "perception_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("perceived", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=False),
        sa.Column(
            "source", _enum("perceptionsource", "survey", "meeting", "complaint"), nullable=False
        ),
        sa.Column("at", salesflow.db.UTCDateTime(), nullable=False),
        sa.Column("interaction_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "perceived BETWEEN 1 AND 5", name=op.f("ck_perception_records_perceived_range")
        ),
        sa.CheckConstraint(
            "expected BETWEEN 1 AND 5", name=op.f("ck_perception_records_expected_range")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_perception_records_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_perception_records_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_perception_records_interaction_id_interactions"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_perception_records_actor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_perception_records")),
    )
    with op.batch_alter_table("perception_records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_perception_records_account_at", ["account_id", "at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("perception_records", schema=None) as batch_op:
        batch_op.drop_index("ix_perception_records_account_at")
    op.drop_table("perception_records")
    with op.batch_alter_table("account_expectations", schema=None) as batch_op:
        batch_op.drop_index("ix_account_expectations_account_status")
    op.drop_table("account_expectations")
