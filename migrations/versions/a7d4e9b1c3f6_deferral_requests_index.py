"""The deferral requests waiting, by deadline: a partial index, then ANALYZE (SQLite)

hazards(state, deadline) WHERE deferral_requested_at IS NOT NULL replaces hazards(state,
deferral_requested_at): the deferral requests page counts its overdue requests in it (SQLite chose
(state, deadline) and read every overdue hazard's row to test the request, 5 to 16 ms at 100,000 hazards;
0.14 ms), and its other counts and the list's request count read it without a row.

Revision ID: a7d4e9b1c3f6
Revises: d03e6f4a8b92
Create Date: 2026-12-02 12:45:00.000000

"""
import sqlalchemy as sa
from alembic import op

from server.database import analyze

# revision identifiers, used by Alembic.
revision = 'a7d4e9b1c3f6'
down_revision = 'd03e6f4a8b92'
branch_labels = None
depends_on = None

PENDING = sa.text("deferral_requested_at IS NOT NULL")


def upgrade():
    op.drop_index('ix_hazards_state_deferral', table_name='hazards')
    op.create_index('ix_hazards_deferral_deadline', 'hazards', ['state', 'deadline'],
                    sqlite_where=PENDING, postgresql_where=PENDING)
    analyze(op.get_bind())


def downgrade():
    op.drop_index('ix_hazards_deferral_deadline', table_name='hazards')
    op.create_index('ix_hazards_state_deferral', 'hazards', ['state', 'deferral_requested_at'])
