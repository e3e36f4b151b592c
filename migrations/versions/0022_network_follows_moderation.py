"""trailblazer network: follows (a tag, module or region) and closing reports from the
moderators' queue

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # Network search is ILIKE '%word%' on title and body together: a trigram index
        # lets it use an index. pg_trgm ships with PostgreSQL and is a trusted extension.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_network_post_search_trgm ON network_post "
            "USING gin ((((title)::text || ' '::text) || body) gin_trgm_ops)"
        )
    op.create_table(
        "network_follow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "domain",
                "priority",
                "module",
                "region",
                name="follow_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("followed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_network_follow_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_follow")),
        sa.UniqueConstraint(
            "user_id", "kind", "value", name=op.f("uq_network_follow_user_id_kind_value")
        ),
    )
    op.create_index(op.f("ix_network_follow_user_id"), "network_follow", ["user_id"])
    with op.batch_alter_table("network_post_report") as batch:
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closed_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_network_post_report_closed_by_id_user_account"),
            "user_account",
            ["closed_by_id"],
            ["id"],
        )
    op.create_index(
        "ix_network_post_report_open",
        "network_post_report",
        ["post_id"],
        sqlite_where=sa.text("closed_at IS NULL"),
        postgresql_where=sa.text("closed_at IS NULL"),
    )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_network_post_search_trgm", table_name="network_post")
    op.drop_index("ix_network_post_report_open", table_name="network_post_report")
    with op.batch_alter_table("network_post_report") as batch:
        batch.drop_constraint(
            op.f("fk_network_post_report_closed_by_id_user_account"), type_="foreignkey"
        )
        batch.drop_column("closed_by_id")
        batch.drop_column("closed_at")
    op.drop_index(op.f("ix_network_follow_user_id"), table_name="network_follow")
    op.drop_table("network_follow")
