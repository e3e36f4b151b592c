"""index for a cohort's roster: people's names looked up by id

Revision ID: 0027
Revises: 0026
"""

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    # Serves /cohorts/<slug>/roster: the page orders the cohort's people by name. Without
    # it PostgreSQL read every account (60,000 at national size) to find the names of a
    # few hundred; with it each name is an index-only look-up by id.
    op.create_index(
        "ix_user_account_id_name", "user_account", ["id", "family_name", "given_name"], unique=False
    )


def downgrade():
    op.drop_index("ix_user_account_id_name", table_name="user_account")
