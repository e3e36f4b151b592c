"""notification delivery state: a claim lease / retry time, given-up and discarded rows,
and an index for the emails that failed

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OLD = "sent_at IS NULL"
NEW = "sent_at IS NULL AND failed_at IS NULL AND discarded_at IS NULL"
PROBLEM = "sent_at IS NULL AND discarded_at IS NULL AND (failed_at IS NOT NULL OR attempts > 0)"


def _unsent_index(where: str) -> None:
    op.create_index(
        "ix_notification_unsent",
        "notification",
        ["created_at"],
        unique=False,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def upgrade():
    op.drop_index("ix_notification_unsent", table_name="notification")
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("discarded_at", sa.DateTime(timezone=True), nullable=True))
    _unsent_index(NEW)
    op.create_index(
        "ix_notification_problem",
        "notification",
        ["failed_at", "created_at"],
        unique=False,
        sqlite_where=sa.text(PROBLEM),
        postgresql_where=sa.text(PROBLEM),
    )


def downgrade():
    op.drop_index("ix_notification_problem", table_name="notification")
    op.drop_index("ix_notification_unsent", table_name="notification")
    with op.batch_alter_table("notification") as batch:
        batch.drop_column("discarded_at")
        batch.drop_column("failed_at")
        batch.drop_column("next_attempt_at")
    _unsent_index(OLD)
