"""pipeline: the open pipeline per team the review's funnel and forecast read (issue 15)

The open deals per team, playbook version, stage, currency and the company day they entered the
stage (deals, amount and weighted amount in cents, the first entry), their weighted amounts per
team, version, currency and expected close, and the build's mark; the index of the deals by
status and stage gains the moment each entered its stage (the deals over a stage's limit on the
day it falls). Empty after upgrading: the review computes these figures live until the
scheduler's `pipeline_moves` job or `flask pipeline rebuild-moves` builds them, and every change
keeps them from then on.

Revision ID: b7d3e9a41c26
Revises: 5e8a1f3c7b42
Create Date: 2026-12-01 22:40:00

"""

import sqlalchemy as sa
from alembic import op

from salesflow.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "b7d3e9a41c26"
down_revision = "5e8a1f3c7b42"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pipeline_open_stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("playbook_version_id", sa.Integer(), nullable=False),
        sa.Column("stage_key", sa.String(length=60), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("entered_on", sa.Date(), nullable=False),
        sa.Column("deals", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("weighted_cents", sa.BigInteger(), nullable=False),
        sa.Column("first_entered_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["playbook_version_id"],
            ["playbook_versions.id"],
            name=op.f("fk_pipeline_open_stages_playbook_version_id_playbook_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_pipeline_open_stages_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_open_stages")),
    )
    with op.batch_alter_table("pipeline_open_stages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pipeline_open_stages_team_id",
            ["team_id", "playbook_version_id", "stage_key"],
            unique=False,
        )

    op.create_table(
        "pipeline_open_closes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("playbook_version_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("expected_close", sa.Date(), nullable=True),
        sa.Column("deals", sa.Integer(), nullable=False),
        sa.Column("weighted_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["playbook_version_id"],
            ["playbook_versions.id"],
            name=op.f("fk_pipeline_open_closes_playbook_version_id_playbook_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_pipeline_open_closes_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_open_closes")),
    )
    with op.batch_alter_table("pipeline_open_closes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pipeline_open_closes_team_id",
            ["team_id", "playbook_version_id", "currency", "expected_close"],
            unique=False,
        )

    op.create_table(
        "pipeline_open_builds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("built_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_open_builds")),
    )
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_index("ix_opportunities_status_stage")
        batch_op.create_index(
            "ix_opportunities_status_stage",
            ["status", "playbook_version_id", "stage_key", "stage_entered_at"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_index("ix_opportunities_status_stage")
        batch_op.create_index(
            "ix_opportunities_status_stage",
            ["status", "playbook_version_id", "stage_key"],
            unique=False,
        )

    op.drop_table("pipeline_open_builds")
    with op.batch_alter_table("pipeline_open_closes", schema=None) as batch_op:
        batch_op.drop_index("ix_pipeline_open_closes_team_id")

    op.drop_table("pipeline_open_closes")
    with op.batch_alter_table("pipeline_open_stages", schema=None) as batch_op:
        batch_op.drop_index("ix_pipeline_open_stages_team_id")

    op.drop_table("pipeline_open_stages")
