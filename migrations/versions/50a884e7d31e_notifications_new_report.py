"""notifications: supervisors hear of every new report (the kind new_report)

Revision ID: 50a884e7d31e
Revises: c3d5e7f90a12
Create Date: 2026-12-02 00:10:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '50a884e7d31e'
down_revision = 'c3d5e7f90a12'
branch_labels = None
depends_on = None

OLD_KINDS = ('assigned', 'due_tomorrow', 'overdue', 'submitted', 'recheck_failed', 'recheck_passed',
             'deferral_requested', 'deferral_decided')
NEW_KINDS = ('new_report', *OLD_KINDS)


def _kinds_check(kinds):
    # The constraint's name is given whole (op.f): the metadata's naming convention made it in the first place.
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notifications_kind_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_notifications_kind_known'),
                                         "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")")


def upgrade():
    _kinds_check(NEW_KINDS)


def downgrade():
    op.execute("DELETE FROM notifications WHERE kind = 'new_report'")
    _kinds_check(OLD_KINDS)
