"""free text stored de-identified with the stamp of the rules and name list used; the
name list itself

Revision ID: 0023
Revises: 0022

Existing rows get no stamp: the scheduler's redact_free_text job (and any export before
it) de-identifies them on first run, with the same code that redacts new text, so the
migration does not need its own copy of the rules.
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

TABLES = {
    "feedback_item": ["text_redacted", "status_reason_redacted"],
    "feedback_status_change": ["note_redacted"],
    "codesign_session": ["notes_redacted"],
}


def upgrade():
    op.create_table(
        "redaction_name",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=6), nullable=False),
        sa.Column("part", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redaction_name")),
        sa.UniqueConstraint("kind", "part", name=op.f("uq_redaction_name_kind_part")),
    )
    with op.batch_alter_table("redaction_name", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_redaction_name_version"), ["version"], unique=False)
    for table, columns in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.add_column(sa.Column(column, sa.Text(), nullable=True))
            batch_op.add_column(
                sa.Column("has_redactions", sa.Boolean(), server_default=sa.false(), nullable=False)
            )
            batch_op.add_column(sa.Column("redaction_stamp", sa.String(length=32), nullable=True))
            batch_op.create_index(
                batch_op.f(f"ix_{table}_redaction_stamp"), ["redaction_stamp"], unique=False
            )


def downgrade():
    for table, columns in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_redaction_stamp"))
            batch_op.drop_column("redaction_stamp")
            batch_op.drop_column("has_redactions")
            for column in reversed(columns):
                batch_op.drop_column(column)
    with op.batch_alter_table("redaction_name", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_redaction_name_version"))
    op.drop_table("redaction_name")
