"""opportunities, contacts: covering indexes for the board and the review's decision-chain gaps

The board's column totals and each column's first cards by close date, and the review's funnel,
forecast and stage ages, read ix_opportunities_board alone (status, stage, close date, version,
deletion, account, currency, amount, stage entered), never the deals' full rows; the decision-chain gaps find the current decision makers
through ix_contacts_decision_role instead of scanning every contact. Plain CREATE INDEX on both
engines (no batch: a batch that recreated contacts on SQLite would drop the search triggers).

Revision ID: 8b2f4c6d1e73
Revises: 3c9a7d2e51f4
Create Date: 2026-12-01 20:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '8b2f4c6d1e73'
down_revision = '3c9a7d2e51f4'
branch_labels = None
depends_on = None

BOARD = [
    'status', 'stage_key', 'expected_close', 'playbook_version_id', 'deleted_at', 'account_id',
    'currency', 'amount', 'stage_entered_at',
]
MAKERS = ['decision_role', 'account_id', 'deleted_at', 'left_on']


def upgrade():
    op.create_index('ix_opportunities_board', 'opportunities', BOARD, unique=False)
    op.create_index('ix_contacts_decision_role', 'contacts', MAKERS, unique=False)


def downgrade():
    op.drop_index('ix_contacts_decision_role', table_name='contacts')
    op.drop_index('ix_opportunities_board', table_name='opportunities')
