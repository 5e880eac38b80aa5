"""webhooks and their outbox (the delivery log), and hazards.supervised_at: the 督办 flag of the daily pass

Revision ID: 0f431e89214b
Revises: f1b2c3d4e5a6
Create Date: 2026-12-02 01:06:35.713851

"""
from alembic import op
import sqlalchemy as sa

import server.database


# revision identifiers, used by Alembic.
revision = '0f431e89214b'
down_revision = 'f1b2c3d4e5a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('webhooks',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('format', sa.String(length=16), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('secret', sa.String(length=200), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', server.database.UTCDateTime(), nullable=False),
    sa.CheckConstraint("format IN ('json', 'wecom', 'dingtalk')", name=op.f('ck_webhooks_format_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhooks'))
    )
    op.create_table('webhook_deliveries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('webhook_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('event', sa.String(length=24), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', server.database.UTCDateTime(), nullable=False),
    sa.Column('next_attempt_at', server.database.UTCDateTime(), nullable=False),
    sa.Column('sent_at', server.database.UTCDateTime(), nullable=True),
    sa.Column('last_status', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f('ck_webhook_deliveries_status_known')),
    sa.ForeignKeyConstraint(['webhook_id'], ['webhooks.id'], name=op.f('fk_webhook_deliveries_webhook_id_webhooks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries')),
    sa.UniqueConstraint('webhook_id', 'event', 'key', name='uq_webhook_deliveries_once')
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_deliveries_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_webhook_id'), ['webhook_id'], unique=False)

    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supervised_at', server.database.UTCDateTime(), nullable=True))



def downgrade():
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.drop_column('supervised_at')

    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_webhook_id'))
        batch_op.drop_index('ix_webhook_deliveries_due')

    op.drop_table('webhook_deliveries')
    op.drop_table('webhooks')
