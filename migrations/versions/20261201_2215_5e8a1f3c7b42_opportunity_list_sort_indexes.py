"""opportunities: the list's orders by amount and by close date kept by two expression indexes

The opportunity list pages by keyset on (COALESCE(amount, 0), id) or (COALESCE(expected_close,
'9999-12-31'), id), its default. With these indexes the database walks a page in order and stops,
looking up each deal's account for the scope, instead of sorting every visible deal: leadership's
first page by amount, 84,000 open deals, went from ~110-210 ms to ~2 ms on SQLite. The
expressions are written to the letter of opportunities.queries.SORTS (an expression index serves
only the same expression). Expression indexes have no model: search.index.include_name leaves
them out of Alembic's comparisons.

Revision ID: 5e8a1f3c7b42
Revises: 1c925ab78572
Create Date: 2026-12-01 22:15:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5e8a1f3c7b42"
down_revision = "1c925ab78572"
branch_labels = None
depends_on = None

# Within a status (the list shows the open deals unless asked otherwise): the earliest close dates
# are mostly of deals won or lost long ago, which a walk for the open ones would step over by the
# thousand; and with the status first in both, the planner takes the index of the order asked
# whether or not it has statistics (with an index led by the status and another not, SQLite without
# statistics took the status's and sorted every open deal).
INDEXES = {
    "ix_opportunities_by_amount": ["status", "coalesce(amount, 0)", "id"],
    "ix_opportunities_by_close": ["status", "coalesce(expected_close, '9999-12-31')", "id"],
}


def upgrade():
    for name, columns in INDEXES.items():
        expressions = [sa.text(c) if "(" in c else c for c in columns]
        op.create_index(name, "opportunities", expressions, unique=False)


def downgrade():
    for name in INDEXES:
        op.drop_index(name, table_name="opportunities")
