"""content stamp: one row whose token changes with the content forms offer as choices

Revision ID: 0028
Revises: 0027

Web processes keep the regions, GPC domains and modules they offer as
choices in memory and read this row to know whether those are still current.
"""

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "content_stamp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_stamp")),
    )
    op.bulk_insert(
        table, [{"id": 1, "token": secrets.token_hex(16), "changed_at": datetime.now(UTC)}]
    )


def downgrade():
    op.drop_table("content_stamp")
