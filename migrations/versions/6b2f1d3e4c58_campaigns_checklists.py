"""Special inspections: campaigns, checklist templates and answers

Checklist templates (items grouped by category, with what to check and what to do when it fails); campaigns
over a set of zones with their checklist copied in; the answers patrols send and each item's result, a failed
one naming the hazard it opened.

Revision ID: 6b2f1d3e4c58
Revises: 5a1e0c2d3b47
Create Date: 2026-12-02 03:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import server.database

# revision identifiers, used by Alembic.
revision = '6b2f1d3e4c58'
down_revision = '5a1e0c2d3b47'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('checklist_templates',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('updated_at', server.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_templates')),
    sa.UniqueConstraint('code', name=op.f('uq_checklist_templates_code'))
    )
    op.create_table('campaigns',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('template_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', server.database.UTCDateTime(), nullable=False),
    sa.Column('cancelled_at', server.database.UTCDateTime(), nullable=True),
    sa.Column('start_alert_at', server.database.UTCDateTime(), nullable=True),
    sa.CheckConstraint('starts_on <= ends_on', name=op.f('ck_campaigns_dates_in_order')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_campaigns_created_by_id_users')),
    sa.ForeignKeyConstraint(['template_id'], ['checklist_templates.id'], name=op.f('fk_campaigns_template_id_checklist_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    op.create_table('checklist_template_items',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('template_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('category_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('group', sa.String(length=64), nullable=False),
    sa.Column('group_en', sa.String(length=64), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('text_en', sa.String(length=500), nullable=False),
    sa.Column('standard', sa.Text(), nullable=False),
    sa.Column('standard_en', sa.Text(), nullable=False),
    sa.Column('remedy', sa.Text(), nullable=False),
    sa.Column('remedy_en', sa.Text(), nullable=False),
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_checklist_template_items_category_id_categories')),
    sa.ForeignKeyConstraint(['template_id'], ['checklist_templates.id'], name=op.f('fk_checklist_template_items_template_id_checklist_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_template_items'))
    )
    op.create_index(op.f('ix_checklist_template_items_template_id'), 'checklist_template_items', ['template_id'], unique=False)
    op.create_table('campaign_items',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('campaign_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('category_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('group', sa.String(length=64), nullable=False),
    sa.Column('group_en', sa.String(length=64), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('text_en', sa.String(length=500), nullable=False),
    sa.Column('standard', sa.Text(), nullable=False),
    sa.Column('standard_en', sa.Text(), nullable=False),
    sa.Column('remedy', sa.Text(), nullable=False),
    sa.Column('remedy_en', sa.Text(), nullable=False),
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_items_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_campaign_items_category_id_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_items'))
    )
    op.create_index(op.f('ix_campaign_items_campaign_id'), 'campaign_items', ['campaign_id'], unique=False)
    op.create_table('campaign_zones',
    sa.Column('campaign_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('zone_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_zones_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['zone_id'], ['zones.id'], name=op.f('fk_campaign_zones_zone_id_zones')),
    sa.PrimaryKeyConstraint('campaign_id', 'zone_id', name=op.f('pk_campaign_zones'))
    )
    op.create_index(op.f('ix_campaign_zones_zone_id'), 'campaign_zones', ['zone_id'], unique=False)
    op.create_table('campaign_answers',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('campaign_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('zone_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('answered_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('answered_at', server.database.UTCDateTime(), nullable=False),
    sa.Column('received_at', server.database.UTCDateTime(), nullable=False),
    sa.Column('on_site', sa.Boolean(), nullable=False),
    sa.Column('visit_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_campaign_answers_answered_by_id_users')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_answers_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['visit_id'], ['patrol_visits.id'], name=op.f('fk_campaign_answers_visit_id_patrol_visits')),
    sa.ForeignKeyConstraint(['zone_id'], ['zones.id'], name=op.f('fk_campaign_answers_zone_id_zones')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_answers')),
    sa.UniqueConstraint('client_id', name=op.f('uq_campaign_answers_client_id'))
    )
    op.create_index('ix_campaign_answers_campaign_zone', 'campaign_answers', ['campaign_id', 'zone_id', 'received_at'], unique=False)
    op.create_table('campaign_item_results',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('answer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('item_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('result', sa.String(length=8), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('hazard_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.CheckConstraint("(hazard_id IS NOT NULL) = (result = 'fail')", name=op.f('ck_campaign_item_results_hazard_iff_failed')),
    sa.CheckConstraint("result IN ('pass', 'fail', 'na')", name=op.f('ck_campaign_item_results_result_known')),
    sa.ForeignKeyConstraint(['answer_id'], ['campaign_answers.id'], name=op.f('fk_campaign_item_results_answer_id_campaign_answers')),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_campaign_item_results_hazard_id_hazards')),
    sa.ForeignKeyConstraint(['item_id'], ['campaign_items.id'], name=op.f('fk_campaign_item_results_item_id_campaign_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_item_results')),
    sa.UniqueConstraint('answer_id', 'item_id', name='uq_campaign_item_results_answer_item'),
    sa.UniqueConstraint('hazard_id', name=op.f('uq_campaign_item_results_hazard_id'))
    )
    op.create_index('ix_campaign_item_results_item', 'campaign_item_results', ['item_id', 'result'], unique=False)


def downgrade():
    op.drop_index('ix_campaign_item_results_item', table_name='campaign_item_results')
    op.drop_table('campaign_item_results')
    op.drop_index('ix_campaign_answers_campaign_zone', table_name='campaign_answers')
    op.drop_table('campaign_answers')
    op.drop_index(op.f('ix_campaign_zones_zone_id'), table_name='campaign_zones')
    op.drop_table('campaign_zones')
    op.drop_index(op.f('ix_campaign_items_campaign_id'), table_name='campaign_items')
    op.drop_table('campaign_items')
    op.drop_index(op.f('ix_checklist_template_items_template_id'), table_name='checklist_template_items')
    op.drop_table('checklist_template_items')
    op.drop_table('campaigns')
    op.drop_table('checklist_templates')
