"""interaction_spend: a logged contact's cost per customer attendee, when given (issue 17)

Without rows a contact's cost is split equally among its customer attendees, as before.

Revision ID: c4f8a2d6e913
Revises: b5e1d9c3a726
Create Date: 2026-12-01 23:46:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4f8a2d6e913"
down_revision = "b5e1d9c3a726"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "interaction_spend",
        sa.Column("interaction_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_interaction_spend_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_interaction_spend_interaction_id_interactions"),
        ),
        sa.PrimaryKeyConstraint("interaction_id", "contact_id", name=op.f("pk_interaction_spend")),
    )
    with op.batch_alter_table("interaction_spend", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interaction_spend_contact_id"), ["contact_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("interaction_spend", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interaction_spend_contact_id"))
    op.drop_table("interaction_spend")
