"""Indexes for the district-scale lists: the hazard list's counts, each an index count, then ANALYZE (SQLite)

hazards(state, closed_at) (closed this month: without it SQLite reads every closed hazard's row, 180 ms at
100,000), hazards(state, deferral_requested_at) (the deferral requests waiting), hazards(state, rectifier_id,
deadline) (the rechecks one may make counted without reading their rows, 7 ms at 100,000; a rectifier's tasks
by deadline), patrol_visits(patrol_id, device_at) (a patrol's visits of the day, for today's round).

Revision ID: d03e6f4a8b92
Revises: c92d5e3f7a81
Create Date: 2026-12-02 06:20:00.000000

"""
from alembic import op

from server.database import analyze

# revision identifiers, used by Alembic.
revision = 'd03e6f4a8b92'
down_revision = 'c92d5e3f7a81'
branch_labels = None
depends_on = None

INDEXES = (
    ('ix_hazards_state_closed_at', 'hazards', ['state', 'closed_at']),
    ('ix_hazards_state_deferral', 'hazards', ['state', 'deferral_requested_at']),
    ('ix_hazards_state_rectifier_deadline', 'hazards', ['state', 'rectifier_id', 'deadline']),
    ('ix_patrol_visits_patrol_device_at', 'patrol_visits', ['patrol_id', 'device_at']),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    # The planner needs statistics to choose among the indexes (SQLite keeps none until ANALYZE).
    analyze(op.get_bind())


def downgrade():
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
