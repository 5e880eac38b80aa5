"""failed sign-ins: the sign-in limits, shared by every worker process

Revision ID: a7784b36fa3f
Revises: bd416e09f509
Create Date: 2026-12-01 21:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import server.database


# revision identifiers, used by Alembic.
revision = 'a7784b36fa3f'
down_revision = 'bd416e09f509'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('failed_sign_ins',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('slot', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', server.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', 'slot', name=op.f('pk_failed_sign_ins'))
    )
    with op.batch_alter_table('failed_sign_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_failed_sign_ins_at'), ['at'], unique=False)


def downgrade():
    with op.batch_alter_table('failed_sign_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_failed_sign_ins_at'))

    op.drop_table('failed_sign_ins')
