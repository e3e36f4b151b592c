"""trailblazer network: posts with their tags, comments, useful marks, reports, and the
participants who opted in to post

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def _when(name, nullable=False):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _post_fk(table):
    return sa.ForeignKeyConstraint(
        ["post_id"],
        ["network_post.id"],
        name=op.f(f"fk_{table}_post_id_network_post"),
        ondelete="CASCADE",
    )


def _user_fk(table, column):
    return sa.ForeignKeyConstraint(
        [column], ["user_account.id"], name=op.f(f"fk_{table}_{column}_user_account")
    )


def upgrade():
    op.create_table(
        "network_member",
        sa.Column("user_id", sa.Integer(), nullable=False),
        _when("opted_in_at"),
        _user_fk("network_member", "user_id"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_network_member")),
    )
    op.create_table(
        "network_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("module_id", sa.Integer(), nullable=True),
        _when("created_at"),
        _when("updated_at"),
        _when("hidden_at", nullable=True),
        sa.Column("hidden_reason", sa.String(length=500), nullable=False),
        _user_fk("network_post", "author_id"),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_network_post_region_id_region")
        ),
        sa.ForeignKeyConstraint(
            ["module_id"], ["module.id"], name=op.f("fk_network_post_module_id_module")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_post")),
    )
    for column in ("author_id", "region_id", "module_id"):
        op.create_index(op.f(f"ix_network_post_{column}"), "network_post", [column])
    op.create_index("ix_network_post_created_id", "network_post", ["created_at", "id"])
    op.create_table(
        "network_post_tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "domain",
                "priority",
                name="post_tag_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("value", sa.String(length=200), nullable=False),
        _post_fk("network_post_tag"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_post_tag")),
        sa.UniqueConstraint(
            "post_id", "kind", "value", name=op.f("uq_network_post_tag_post_id_kind_value")
        ),
    )
    op.create_index("ix_network_post_tag_kind_value", "network_post_tag", ["kind", "value"])
    op.create_table(
        "network_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        _when("created_at"),
        _post_fk("network_comment"),
        _user_fk("network_comment", "author_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_comment")),
    )
    op.create_index(op.f("ix_network_comment_post_id"), "network_comment", ["post_id"])
    op.create_table(
        "network_useful_mark",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        _when("marked_at"),
        _post_fk("network_useful_mark"),
        _user_fk("network_useful_mark", "user_id"),
        sa.PrimaryKeyConstraint("post_id", "user_id", name=op.f("pk_network_useful_mark")),
    )
    op.create_table(
        "network_post_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        _when("reported_at"),
        _post_fk("network_post_report"),
        _user_fk("network_post_report", "reporter_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_post_report")),
    )
    op.create_index(op.f("ix_network_post_report_post_id"), "network_post_report", ["post_id"])


def downgrade():
    for table in (
        "network_post_report",
        "network_useful_mark",
        "network_comment",
        "network_post_tag",
        "network_post",
        "network_member",
    ):
        op.drop_table(table)
