"""participant learning: at most one pending account closure request per person

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "uq_account_closure_request_pending",
        "account_closure_request",
        ["user_id"],
        unique=True,
        sqlite_where=sa.text("processed_at IS NULL"),
        postgresql_where=sa.text("processed_at IS NULL"),
    )


def downgrade():
    op.drop_index("uq_account_closure_request_pending", table_name="account_closure_request")
