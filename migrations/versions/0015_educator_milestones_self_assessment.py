"""educator development: the Clinician Educator Milestones (versioned) and self-assessments

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('milestone_framework',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('publisher', sa.String(length=200), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone_framework')),
    sa.UniqueConstraint('code', 'version', name=op.f('uq_milestone_framework_code_version'))
    )
    op.create_table('educator_profile',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('opted_in_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_educator_profile_user_id_user_account')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_educator_profile'))
    )
    op.create_table('milestone_domain',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['framework_id'], ['milestone_framework.id'], name=op.f('fk_milestone_domain_framework_id_milestone_framework')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone_domain')),
    sa.UniqueConstraint('framework_id', 'code', name=op.f('uq_milestone_domain_framework_id_code'))
    )
    op.create_table('self_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('assessed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['framework_id'], ['milestone_framework.id'], name=op.f('fk_self_assessment_framework_id_milestone_framework')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_self_assessment_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_assessment'))
    )
    with op.batch_alter_table('self_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_assessment_user_id'), ['user_id'], unique=False)

    op.create_table('subcompetency',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('domain_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('level_descriptors', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['domain_id'], ['milestone_domain.id'], name=op.f('fk_subcompetency_domain_id_milestone_domain')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subcompetency')),
    sa.UniqueConstraint('domain_id', 'code', name=op.f('uq_subcompetency_domain_id_code'))
    )
    with op.batch_alter_table('subcompetency', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subcompetency_domain_id'), ['domain_id'], unique=False)

    op.create_table('milestone_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('subcompetency_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('evidence_note', sa.Text(), nullable=False),
    sa.Column('evidence_link', sa.String(length=500), nullable=True),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_milestone_rating_level_range')),
    sa.ForeignKeyConstraint(['assessment_id'], ['self_assessment.id'], name=op.f('fk_milestone_rating_assessment_id_self_assessment')),
    sa.ForeignKeyConstraint(['subcompetency_id'], ['subcompetency.id'], name=op.f('fk_milestone_rating_subcompetency_id_subcompetency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone_rating')),
    sa.UniqueConstraint('assessment_id', 'subcompetency_id', name=op.f('uq_milestone_rating_assessment_id_subcompetency_id'))
    )
    with op.batch_alter_table('milestone_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_rating_assessment_id'), ['assessment_id'], unique=False)


def downgrade():
    with op.batch_alter_table('milestone_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_rating_assessment_id'))

    op.drop_table('milestone_rating')
    with op.batch_alter_table('subcompetency', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subcompetency_domain_id'))

    op.drop_table('subcompetency')
    with op.batch_alter_table('self_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_assessment_user_id'))

    op.drop_table('self_assessment')
    op.drop_table('milestone_domain')
    op.drop_table('educator_profile')
    op.drop_table('milestone_framework')
