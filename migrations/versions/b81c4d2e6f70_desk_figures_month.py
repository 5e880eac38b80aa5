"""Indexes for the dashboard's month and the ledger's streamed workbook

(Placeholder reserved by the lead so that parallel work chains in one line; its owner fills it in.)

Revision ID: b81c4d2e6f70
Revises: 7c3a2e4f5d69
Create Date: 2026-12-02 06:20:00.000000

"""

# revision identifiers, used by Alembic.
revision = 'b81c4d2e6f70'
down_revision = '7c3a2e4f5d69'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
