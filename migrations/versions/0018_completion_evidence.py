"""how each completion is evidenced and who confirmed it; completion record codes

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("progress", schema=None) as batch_op:
        batch_op.add_column(sa.Column("completed_how", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("confirmed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_progress_confirmed_by_id_user_account"),
            "user_account",
            ["confirmed_by_id"],
            ["id"],
        )
    # Completions recorded before evidence was kept were all self-declared.
    op.execute(
        "UPDATE progress SET completed_how = 'self_declared' WHERE completed_at IS NOT NULL"
    )
    op.create_table(
        "record_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_record_code_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_code")),
        sa.UniqueConstraint("code", name=op.f("uq_record_code_code")),
        sa.UniqueConstraint("user_id", name=op.f("uq_record_code_user_id")),
    )


def downgrade():
    op.drop_table("record_code")
    with op.batch_alter_table("progress", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_progress_confirmed_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("confirmed_by_id")
        batch_op.drop_column("completed_how")
