"""an index for the feedback inbox's newest-first page

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    # Serves /feedback: the newest-first page of items stops after one page.
    op.create_index(
        "ix_feedback_item_created_at_id", "feedback_item", ["created_at", "id"], unique=False
    )


def downgrade():
    op.drop_index("ix_feedback_item_created_at_id", table_name="feedback_item")
