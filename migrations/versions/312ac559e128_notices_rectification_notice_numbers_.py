"""notices: rectification notice numbers (整改通知书编号), given once per hazard, unique per year

Revision ID: 312ac559e128
Revises: 50a884e7d31e
Create Date: 2026-12-01 23:58:21.665774

"""
from alembic import op
import sqlalchemy as sa

import server.database


# revision identifiers, used by Alembic.
revision = '312ac559e128'
down_revision = '50a884e7d31e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hazard_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('issued_at', server.database.UTCDateTime(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('seq > 0', name=op.f('ck_notices_seq_positive')),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_notices_hazard_id_hazards')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_notices_issued_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    sa.UniqueConstraint('hazard_id', name=op.f('uq_notices_hazard_id')),
    sa.UniqueConstraint('year', 'seq', name=op.f('uq_notices_year_seq'))
    )


def downgrade():
    op.drop_table('notices')
