"""Indexes for the district-scale lists

(Placeholder reserved by the lead so that parallel work chains in one line; its owner fills it in.)

Revision ID: d03e6f4a8b92
Revises: c92d5e3f7a81
Create Date: 2026-12-02 06:20:00.000000

"""

# revision identifiers, used by Alembic.
revision = 'd03e6f4a8b92'
down_revision = 'c92d5e3f7a81'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
