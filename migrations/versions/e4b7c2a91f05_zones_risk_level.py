"""zones.risk_level: 重大 / 较大 / 一般 / 低 (major, significant, general, low), general for the zones there are

Revision ID: e4b7c2a91f05
Revises: 312ac559e128
Create Date: 2026-12-02 00:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4b7c2a91f05'
down_revision = '312ac559e128'
branch_labels = None
depends_on = None


def upgrade():
    # General is the level whose proposed frequency (weekly) is the zones' default before risk levels.
    with op.batch_alter_table('zones', schema=None) as batch_op:
        batch_op.add_column(sa.Column('risk_level', sa.String(length=16), server_default='general',
                                      nullable=False))
        batch_op.create_check_constraint(op.f('ck_zones_risk_level_known'),
                                         "risk_level IN ('major', 'significant', 'general', 'low')")


def downgrade():
    with op.batch_alter_table('zones', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_zones_risk_level_known'), type_='check')
        batch_op.drop_column('risk_level')
