"""Indexes for the campaign progress pages: each item's results counted from the index alone

campaign_item_results(item_id, result, answer_id) takes the place of (item_id, result): the progress page
counts each item's pass / fail / n.a. over the zones' latest answers, and with the answer in the index SQLite
reads no row and needs no sort for the grouping (1.2 ms to 0.8 ms for 500 zones, 2,988 results: the page's
statement that cost most); what the old index served, the new one's first columns still serve.

Revision ID: c92d5e3f7a81
Revises: b81c4d2e6f70
Create Date: 2026-12-02 06:20:00.000000

"""
from alembic import op

from server.database import analyze

# revision identifiers, used by Alembic.
revision = 'c92d5e3f7a81'
down_revision = 'b81c4d2e6f70'
branch_labels = None
depends_on = None

TABLE = 'campaign_item_results'


def upgrade():
    op.create_index('ix_campaign_item_results_item_answer', TABLE, ['item_id', 'result', 'answer_id'])
    op.drop_index('ix_campaign_item_results_item', table_name=TABLE)
    # The planner needs statistics to choose among the indexes (SQLite keeps none until ANALYZE).
    analyze(op.get_bind())


def downgrade():
    op.create_index('ix_campaign_item_results_item', TABLE, ['item_id', 'result'])
    op.drop_index('ix_campaign_item_results_item_answer', table_name=TABLE)
