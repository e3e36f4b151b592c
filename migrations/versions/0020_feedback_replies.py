"""an educator's reply to the person who gave feedback

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "feedback_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feedback_item_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user_account.id"], name=op.f("fk_feedback_reply_author_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["feedback_item_id"],
            ["feedback_item.id"],
            name=op.f("fk_feedback_reply_feedback_item_id_feedback_item"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_reply")),
    )
    with op.batch_alter_table("feedback_reply", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feedback_reply_feedback_item_id"), ["feedback_item_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("feedback_reply", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_reply_feedback_item_id"))
    op.drop_table("feedback_reply")
