"""Indexes for the campaign progress pages

(Placeholder reserved by the lead so that parallel work chains in one line; its owner fills it in.)

Revision ID: c92d5e3f7a81
Revises: b81c4d2e6f70
Create Date: 2026-12-02 06:20:00.000000

"""

# revision identifiers, used by Alembic.
revision = 'c92d5e3f7a81'
down_revision = 'b81c4d2e6f70'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
