"""opportunities, who they are for, registrations and private calendar feeds

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_calendar_feed_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feed')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feed_token_hash'))
    )
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_feed_user_id'), ['user_id'], unique=False)

    op.create_table('opportunity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('event', 'webinar', 'taster_day', 'shadowing', 'placement', 'talk', name='opportunity_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('location', sa.String(length=500), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('places_taken', sa.Integer(), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_opportunity_capacity_positive')),
    sa.CheckConstraint('closes_at <= starts_at', name=op.f('ck_opportunity_closes_before_start')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_opportunity_times_ordered')),
    sa.CheckConstraint('places_taken >= 0 AND places_taken <= capacity', name=op.f('ck_opportunity_places_fit')),
    sa.ForeignKeyConstraint(['organiser_id'], ['user_account.id'], name=op.f('fk_opportunity_organiser_id_user_account')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_opportunity_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opportunity'))
    )
    with op.batch_alter_table('opportunity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opportunity_organiser_id'), ['organiser_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opportunity_region_id'), ['region_id'], unique=False)
        batch_op.create_index('ix_opportunity_starts_at', ['starts_at'], unique=False)

    op.create_table('opportunity_audience',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('region', 'professional_group', 'career_stage', name='audience_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('value', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunity.id'], name=op.f('fk_opportunity_audience_opportunity_id_opportunity'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opportunity_audience')),
    sa.UniqueConstraint('opportunity_id', 'kind', 'value', name=op.f('uq_opportunity_audience_opportunity_id_kind_value'))
    )
    with op.batch_alter_table('opportunity_audience', schema=None) as batch_op:
        batch_op.create_index('ix_opportunity_audience_kind_value', ['kind', 'value'], unique=False)

    op.create_table('opportunity_registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('registered', 'waitlisted', 'cancelled', 'attended', name='registration_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunity.id'], name=op.f('fk_opportunity_registration_opportunity_id_opportunity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_opportunity_registration_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opportunity_registration')),
    sa.UniqueConstraint('opportunity_id', 'user_id', name=op.f('uq_opportunity_registration_opportunity_id_user_id'))
    )
    with op.batch_alter_table('opportunity_registration', schema=None) as batch_op:
        batch_op.create_index('ix_opportunity_registration_user_id', ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('opportunity_registration', schema=None) as batch_op:
        batch_op.drop_index('ix_opportunity_registration_user_id')

    op.drop_table('opportunity_registration')
    with op.batch_alter_table('opportunity_audience', schema=None) as batch_op:
        batch_op.drop_index('ix_opportunity_audience_kind_value')

    op.drop_table('opportunity_audience')
    with op.batch_alter_table('opportunity', schema=None) as batch_op:
        batch_op.drop_index('ix_opportunity_starts_at')
        batch_op.drop_index(batch_op.f('ix_opportunity_region_id'))
        batch_op.drop_index(batch_op.f('ix_opportunity_organiser_id'))

    op.drop_table('opportunity')
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_feed_user_id'))

    op.drop_table('calendar_feed')
