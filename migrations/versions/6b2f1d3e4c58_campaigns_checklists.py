"""Special inspections: campaigns, checklist templates and answers

(Placeholder reserved by the lead so that parallel work chains in one line; its owner fills it in.)

Revision ID: 6b2f1d3e4c58
Revises: 5a1e0c2d3b47
Create Date: 2026-12-02 03:20:00.000000

"""

# revision identifiers, used by Alembic.
revision = '6b2f1d3e4c58'
down_revision = '5a1e0c2d3b47'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
