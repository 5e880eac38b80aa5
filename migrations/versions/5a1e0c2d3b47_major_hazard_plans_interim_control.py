"""Major hazards' five-in-place plans and interim controls

A table of plan versions (each written with its `plan` event), hazards.planned_at (a plan is in place), and
hazard_events.interim_kind; the events' CHECK of known actions gains `plan` and `interim_control`.

Revision ID: 5a1e0c2d3b47
Revises: 9d2e6f1a7b34
Create Date: 2026-12-02 03:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

import server.database

# revision identifiers, used by Alembic.
revision = '5a1e0c2d3b47'
down_revision = '9d2e6f1a7b34'
branch_labels = None
depends_on = None

_STATES = "('reported', 'assigned', 'awaiting_recheck', 'closed', 'invalid')"
_OLD_ACTIONS = ("'report', 'assign', 'submit', 'request_deferral', 'approve_deferral', 'decline_deferral', "
                "'pass', 'fail', 'invalidate', 'reopen'")
_NEW_ACTIONS = _OLD_ACTIONS + ", 'plan', 'interim_control'"
_KINDS = "('cordoned', 'sign_posted', 'closed_off', 'guarded', 'other')"


def upgrade():
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planned_at', server.database.UTCDateTime(), nullable=True))
    with op.batch_alter_table('hazard_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('interim_kind', sa.String(length=20), nullable=True))
        batch_op.drop_constraint(op.f('ck_hazard_events_action_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_hazard_events_action_known'), f"action IN ({_NEW_ACTIONS})")
        batch_op.create_check_constraint(
            op.f('ck_hazard_events_interim_kind_with_interim_control'),
            f"(action = 'interim_control') = (interim_kind IS NOT NULL) "
            f"AND (interim_kind IS NULL OR interim_kind IN {_KINDS})")
    op.create_table('hazard_plans',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('hazard_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('version', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('funding', sa.String(length=200), nullable=False),
    sa.Column('responsible', sa.String(length=64), nullable=False),
    sa.Column('time_limit', sa.Date(), nullable=False),
    sa.Column('emergency_measures', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('recorded_at', server.database.UTCDateTime(), nullable=False),
    sa.CheckConstraint('version > 0', name=op.f('ck_hazard_plans_version_positive')),
    sa.ForeignKeyConstraint(['event_id'], ['hazard_events.id'],
                            name=op.f('fk_hazard_plans_event_id_hazard_events')),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_hazard_plans_hazard_id_hazards')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                            name=op.f('fk_hazard_plans_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hazard_plans')),
    sa.UniqueConstraint('event_id', name=op.f('uq_hazard_plans_event_id')),
    sa.UniqueConstraint('hazard_id', 'version', name=op.f('uq_hazard_plans_hazard_id'))
    )
    with op.batch_alter_table('hazard_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hazard_plans_hazard_id'), ['hazard_id'], unique=False)


def downgrade():
    with op.batch_alter_table('hazard_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hazard_plans_hazard_id'))
    op.drop_table('hazard_plans')
    # The history written since keeps its plan and interim-control events only on the newer schema.
    op.execute("DELETE FROM hazard_events WHERE action IN ('plan', 'interim_control')")
    with op.batch_alter_table('hazard_events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_hazard_events_interim_kind_with_interim_control'), type_='check')
        batch_op.drop_constraint(op.f('ck_hazard_events_action_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_hazard_events_action_known'), f"action IN ({_OLD_ACTIONS})")
        batch_op.drop_column('interim_kind')
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.drop_column('planned_at')
