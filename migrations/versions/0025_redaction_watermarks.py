"""per-table watermark of the name-list version every stored redaction was checked against

Revision ID: 0025
Revises: 0024

With no row, a table is covered only by its rows' own stamps, which is what 0023 left, so
neither direction needs to touch the free-text tables.
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "redaction_watermark",
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("rules_version", sa.Integer(), nullable=False),
        sa.Column("names_version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("table_name", name=op.f("pk_redaction_watermark")),
    )


def downgrade():
    op.drop_table("redaction_watermark")
