"""pipeline: the deals with an iron-triangle gap the review's gap list reads (issue 15)

One row per open deal, not deleted, in a stage whose `roles` gate asks for a role no active user
holds on it, with its account and playbook version, and the build's mark. Empty after upgrading:
the review tests the seats live until the scheduler's `pipeline_moves` job or `flask pipeline
rebuild-moves` builds them, and every change keeps them from then on.

Revision ID: c8e2f4a9d613
Revises: f2a6c81d4b57
Create Date: 2026-12-01 23:40:00

"""

import sqlalchemy as sa
from alembic import op

from salesflow.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "c8e2f4a9d613"
down_revision = "f2a6c81d4b57"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pipeline_triangle_gaps",
        sa.Column("opportunity_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("playbook_version_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("opportunity_id", name=op.f("pk_pipeline_triangle_gaps")),
    )
    op.create_table(
        "pipeline_triangle_builds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("built_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_triangle_builds")),
    )


def downgrade():
    op.drop_table("pipeline_triangle_builds")
    op.drop_table("pipeline_triangle_gaps")
