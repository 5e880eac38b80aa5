"""Indexes the desk's figures and pages sort and filter by at district scale, then ANALYZE (SQLite)

hazards.device_reported_at (a period's hazards), hazards.closed_at (closed this week/month, the trend),
hazards(state, updated_at) (the rechecks, oldest first), hazard_events(hazard_id, action) (on time: a
hazard's last submit), notifications(user_id, created_at) (a user's notifications, newest first).

Revision ID: 9d2e6f1a7b34
Revises: 0f431e89214b
Create Date: 2026-12-02 01:10:00.000000

"""
from alembic import op

from server.database import analyze

# revision identifiers, used by Alembic.
revision = '9d2e6f1a7b34'
down_revision = '0f431e89214b'
branch_labels = None
depends_on = None

INDEXES = (
    ('ix_hazards_device_reported_at', 'hazards', ['device_reported_at']),
    ('ix_hazards_closed_at', 'hazards', ['closed_at']),
    ('ix_hazards_state_updated_at', 'hazards', ['state', 'updated_at']),
    ('ix_hazard_events_hazard_action', 'hazard_events', ['hazard_id', 'action']),
    ('ix_notifications_user_created', 'notifications', ['user_id', 'created_at']),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    # The planner needs statistics to choose among the indexes (SQLite keeps none until ANALYZE).
    analyze(op.get_bind())


def downgrade():
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
