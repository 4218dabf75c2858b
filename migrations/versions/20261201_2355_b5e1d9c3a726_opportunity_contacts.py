"""opportunity_contacts: the customer contacts involved in a deal with their role in it (issue 17)

Revision ID: b5e1d9c3a726
Revises: e3b9c7a1d524
Create Date: 2026-12-01 23:55:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b5e1d9c3a726"
down_revision = "e3b9c7a1d524"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opportunity_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_opportunity_contacts_contact_id_contacts"),
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_opportunity_contacts_opportunity_id_opportunities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity_contacts")),
        sa.UniqueConstraint(
            "opportunity_id",
            "contact_id",
            name=op.f("uq_opportunity_contacts_opportunity_id_contact_id"),
        ),
    )
    with op.batch_alter_table("opportunity_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_opportunity_contacts_contact_id"), ["contact_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("opportunity_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opportunity_contacts_contact_id"))
    op.drop_table("opportunity_contacts")
