"""users.hometown and users.education (our people's profile for the visit briefing, issue 17)

Revision ID: d81b6e4c2f90
Revises: c8e2f4a9d613
Create Date: 2026-12-01 23:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d81b6e4c2f90"
down_revision = "c8e2f4a9d613"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hometown", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("education", sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("education")
        batch_op.drop_column("hometown")
