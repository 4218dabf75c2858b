"""contacts.government_official: attendees flagged as government officials (issue 17)

Added without batch mode: on SQLite a batch rebuild of contacts would drop the triggers that
keep the search index current.

Revision ID: d8a3f6b2c417
Revises: c4f8a2d6e913
Create Date: 2026-12-01 23:59:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d8a3f6b2c417"
down_revision = "c4f8a2d6e913"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "contacts",
        sa.Column("government_official", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade():
    # SQLite (3.35+) drops a plain column in place, keeping the search triggers.
    op.drop_column("contacts", "government_official")
