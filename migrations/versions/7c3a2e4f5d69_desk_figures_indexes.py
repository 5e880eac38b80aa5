"""Indexes for the desk's figures and the ledger's first row

(Placeholder reserved by the lead so that parallel work chains in one line; its owner fills it in.)

Revision ID: 7c3a2e4f5d69
Revises: 6b2f1d3e4c58
Create Date: 2026-12-02 03:20:00.000000

"""

# revision identifiers, used by Alembic.
revision = '7c3a2e4f5d69'
down_revision = '6b2f1d3e4c58'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
