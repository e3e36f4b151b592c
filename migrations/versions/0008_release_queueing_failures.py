"""release queueing failures: attempts, the reason and when to try again

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "release", sa.Column("notify_attempts", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "release", sa.Column("notify_retry_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("release", sa.Column("notify_error", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("release") as batch:
        batch.drop_column("notify_error")
        batch.drop_column("notify_retry_at")
        batch.drop_column("notify_attempts")
