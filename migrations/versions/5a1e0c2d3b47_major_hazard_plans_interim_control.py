"""Major hazards' five-in-place plans and interim controls

(Placeholder reserved by the lead so that parallel work chains in one line; its owner fills it in.)

Revision ID: 5a1e0c2d3b47
Revises: 9d2e6f1a7b34
Create Date: 2026-12-02 03:20:00.000000

"""

# revision identifiers, used by Alembic.
revision = '5a1e0c2d3b47'
down_revision = '9d2e6f1a7b34'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
