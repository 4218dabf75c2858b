"""interactions: the spend kind chosen when logging a contact (issue 17)

Null (every existing contact) means the kind of spend is read from the kind of contact.

Revision ID: e3b9c7a1d524
Revises: a7d4e2c9b813
Create Date: 2026-12-01 23:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e3b9c7a1d524"
down_revision = "a7d4e2c9b813"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("interactions", sa.Column("spend_kind", sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_column("spend_kind")
