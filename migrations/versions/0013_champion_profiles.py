"""champion profiles, their interests and offers, and messages sent to champions

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "champion_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("profession", sa.String(length=100), nullable=False),
        sa.Column("job_title", sa.String(length=200), nullable=False),
        sa.Column("about", sa.Text(), nullable=False),
        sa.Column("availability", sa.String(length=500), nullable=False),
        sa.Column(
            "visibility",
            sa.Enum(
                "signed_in",
                "public",
                name="profile_visibility",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_champion_profile_region_id_region")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_champion_profile_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_champion_profile")),
        sa.UniqueConstraint("user_id", name=op.f("uq_champion_profile_user_id")),
    )
    op.create_index(
        op.f("ix_champion_profile_region_id"), "champion_profile", ["region_id"], unique=False
    )
    op.create_table(
        "champion_interest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "domain",
                "priority",
                "offer",
                name="interest_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["champion_profile.id"],
            name=op.f("fk_champion_interest_profile_id_champion_profile"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_champion_interest")),
        sa.UniqueConstraint(
            "profile_id", "kind", "value", name=op.f("uq_champion_interest_profile_id_kind_value")
        ),
    )
    op.create_index(
        "ix_champion_interest_kind_value", "champion_interest", ["kind", "value"], unique=False
    )
    op.create_table(
        "champion_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["champion_profile.id"],
            name=op.f("fk_champion_message_profile_id_champion_profile"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"],
            ["user_account.id"],
            name=op.f("fk_champion_message_sender_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_champion_message")),
    )
    op.create_index(
        op.f("ix_champion_message_profile_id"), "champion_message", ["profile_id"], unique=False
    )
    op.create_index(
        "ix_champion_message_sender_sent",
        "champion_message",
        ["sender_id", "sent_at"],
        unique=False,
    )


def downgrade():
    op.drop_table("champion_message")
    op.drop_table("champion_interest")
    op.drop_table("champion_profile")
