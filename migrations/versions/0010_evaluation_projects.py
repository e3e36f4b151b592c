"""evaluation projects with their own pseudonymisation key; evaluators' access to them

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "evaluation_project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("approval_reference", sa.String(length=100), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("key_salt", sa.String(length=64), nullable=False),
        sa.Column("key_fingerprint", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_evaluation_project_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_project")),
        sa.UniqueConstraint("name", name=op.f("uq_evaluation_project_name")),
    )
    op.create_table(
        "evaluation_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("participant_level", sa.Boolean(), nullable=False),
        sa.Column("approval_reference", sa.String(length=100), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["granted_by_id"],
            ["user_account.id"],
            name=op.f("fk_evaluation_access_granted_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["evaluation_project.id"],
            name=op.f("fk_evaluation_access_project_id_evaluation_project"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_evaluation_access_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_access")),
        sa.UniqueConstraint(
            "project_id", "user_id", name=op.f("uq_evaluation_access_project_id_user_id")
        ),
    )
    op.create_index(
        op.f("ix_evaluation_access_project_id"), "evaluation_access", ["project_id"], unique=False
    )
    op.create_index(
        op.f("ix_evaluation_access_user_id"), "evaluation_access", ["user_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_evaluation_access_user_id"), table_name="evaluation_access")
    op.drop_index(op.f("ix_evaluation_access_project_id"), table_name="evaluation_access")
    op.drop_table("evaluation_access")
    op.drop_table("evaluation_project")
