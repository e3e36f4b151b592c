"""request ids on audit events and export records; when each scheduler job last succeeded

Revision ID: 0007
Revises: 0006

The columns are added with plain ALTER TABLE (no batch copy), so SQLite keeps the
append-only triggers 0006 put on audit_event.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("audit_event", sa.Column("request_id", sa.String(length=36), nullable=True))
    op.add_column("export_record", sa.Column("request_id", sa.String(length=36), nullable=True))
    op.create_table(
        "scheduler_job_run",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("last_succeeded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_job_run")),
    )


def downgrade():
    op.drop_table("scheduler_job_run")
    op.drop_column("export_record", "request_id")
    op.drop_column("audit_event", "request_id")
