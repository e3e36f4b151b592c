"""mentoring: mentor offers with a capacity, pairings (one open per pair), private meeting logs

Revision ID: 0016
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mentor_offer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('places_taken', sa.Integer(), nullable=False),
    sa.Column('focus', sa.JSON(), nullable=False),
    sa.Column('format', sa.Enum('in_person', 'online', 'either', name='format', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('about', sa.Text(), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity BETWEEN 1 AND 20', name=op.f('ck_mentor_offer_capacity_range')),
    sa.CheckConstraint('places_taken >= 0 AND places_taken <= capacity', name=op.f('ck_mentor_offer_places')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_mentor_offer_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_offer')),
    sa.UniqueConstraint('user_id', name=op.f('uq_mentor_offer_user_id'))
    )
    op.create_table('mentorship',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('requested', 'active', 'declined', 'withdrawn', 'ended', name='pairing_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('response_note', sa.Text(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('agreement_goals', sa.Text(), nullable=False),
    sa.Column('agreement_frequency', sa.String(length=200), nullable=False),
    sa.Column('agreed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('mentor_feedback', sa.Text(), nullable=False),
    sa.Column('mentee_feedback', sa.Text(), nullable=False),
    sa.CheckConstraint('mentor_id <> mentee_id', name=op.f('ck_mentorship_not_self')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['user_account.id'], name=op.f('fk_mentorship_ended_by_id_user_account')),
    sa.ForeignKeyConstraint(['mentee_id'], ['user_account.id'], name=op.f('fk_mentorship_mentee_id_user_account')),
    sa.ForeignKeyConstraint(['mentor_id'], ['user_account.id'], name=op.f('fk_mentorship_mentor_id_user_account')),
    sa.ForeignKeyConstraint(['offer_id'], ['mentor_offer.id'], name=op.f('fk_mentorship_offer_id_mentor_offer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentorship'))
    )
    with op.batch_alter_table('mentorship', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentorship_mentee_id'), ['mentee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentorship_mentor_id'), ['mentor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentorship_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index('uq_mentorship_open_pair', ['offer_id', 'mentee_id'], unique=True, sqlite_where=sa.text("status IN ('requested', 'active')"), postgresql_where=sa.text("status IN ('requested', 'active')"))

    op.create_table('mentoring_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentorship_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('met_on', sa.Date(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_mentoring_meeting_author_id_user_account')),
    sa.ForeignKeyConstraint(['mentorship_id'], ['mentorship.id'], name=op.f('fk_mentoring_meeting_mentorship_id_mentorship')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentoring_meeting'))
    )
    with op.batch_alter_table('mentoring_meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentoring_meeting_mentorship_id'), ['mentorship_id'], unique=False)


def downgrade():
    with op.batch_alter_table('mentoring_meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentoring_meeting_mentorship_id'))

    op.drop_table('mentoring_meeting')
    with op.batch_alter_table('mentorship', schema=None) as batch_op:
        batch_op.drop_index('uq_mentorship_open_pair', sqlite_where=sa.text("status IN ('requested', 'active')"), postgresql_where=sa.text("status IN ('requested', 'active')"))
        batch_op.drop_index(batch_op.f('ix_mentorship_offer_id'))
        batch_op.drop_index(batch_op.f('ix_mentorship_mentor_id'))
        batch_op.drop_index(batch_op.f('ix_mentorship_mentee_id'))

    op.drop_table('mentorship')
    op.drop_table('mentor_offer')
