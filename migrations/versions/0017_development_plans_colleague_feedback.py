"""educator development plans (goals with target dates) and anonymous colleague feedback

Revision ID: 0017
Revises: 0016
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('colleague_feedback_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('subcompetency_codes', sa.JSON(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['framework_id'], ['milestone_framework.id'], name=op.f('fk_colleague_feedback_request_framework_id_milestone_framework')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_colleague_feedback_request_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_colleague_feedback_request'))
    )
    with op.batch_alter_table('colleague_feedback_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_colleague_feedback_request_user_id'), ['user_id'], unique=False)

    op.create_table('colleague_feedback_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['colleague_feedback_request.id'], name=op.f('fk_colleague_feedback_invitation_request_id_colleague_feedback_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_colleague_feedback_invitation')),
    sa.UniqueConstraint('request_id', 'email', name=op.f('uq_colleague_feedback_invitation_request_id_email'))
    )
    op.create_table('colleague_feedback_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['colleague_feedback_request.id'], name=op.f('fk_colleague_feedback_response_request_id_colleague_feedback_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_colleague_feedback_response'))
    )
    with op.batch_alter_table('colleague_feedback_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_colleague_feedback_response_request_id'), ['request_id'], unique=False)

    op.create_table('development_goal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('subcompetency_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('target_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'in_progress', 'achieved', 'dropped', name='goal_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['module.id'], name=op.f('fk_development_goal_module_id_module')),
    sa.ForeignKeyConstraint(['subcompetency_id'], ['subcompetency.id'], name=op.f('fk_development_goal_subcompetency_id_subcompetency')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_development_goal_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_development_goal'))
    )
    with op.batch_alter_table('development_goal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_development_goal_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('development_goal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_development_goal_user_id'))

    op.drop_table('development_goal')
    with op.batch_alter_table('colleague_feedback_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_colleague_feedback_response_request_id'))

    op.drop_table('colleague_feedback_response')
    op.drop_table('colleague_feedback_invitation')
    with op.batch_alter_table('colleague_feedback_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_colleague_feedback_request_user_id'))

    op.drop_table('colleague_feedback_request')
