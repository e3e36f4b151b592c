"""indexes for pages that sorted a growing table: the users list and the version picker

Revision ID: 0024
Revises: 0023
"""

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    # Serves /admin/users: its first page by name comes off the index instead of a sort of
    # every account (60,000 at national size).
    op.create_index(
        "ix_user_account_name", "user_account", ["family_name", "given_name", "id"], unique=False
    )
    # Serves /releases/new, /codesign/new and /codesign/<id>: the module-version picker's
    # first versions by title.
    op.create_index(
        "ix_module_version_title_number", "module_version", ["title", "number"], unique=False
    )


def downgrade():
    op.drop_index("ix_module_version_title_number", table_name="module_version")
    op.drop_index("ix_user_account_name", table_name="user_account")
