"""public contributors, feedback entered on their behalf, co-design session attendees

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "public_contributor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pilot_id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("credit_consent", sa.Boolean(), nullable=False),
        sa.Column("credit_consent_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_public_contributor_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["pilot_id"], ["pilot.id"], name=op.f("fk_public_contributor_pilot_id_pilot")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_contributor")),
    )
    with op.batch_alter_table("public_contributor", schema=None) as batch_op:
        batch_op.create_index(
            "ix_public_contributor_pilot_name", ["pilot_id", "display_name"], unique=False
        )

    op.create_table(
        "codesign_attendee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "participant",
                "educator",
                "patient_public",
                "other",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("contributor_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "contributor_id IS NULL OR kind = 'patient_public'",
            name=op.f("ck_codesign_attendee_contributor_is_public"),
        ),
        sa.CheckConstraint(
            "contributor_id IS NOT NULL OR description IS NOT NULL",
            name=op.f("ck_codesign_attendee_says_who"),
        ),
        sa.ForeignKeyConstraint(
            ["contributor_id"],
            ["public_contributor.id"],
            name=op.f("fk_codesign_attendee_contributor_id_public_contributor"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["codesign_session.id"],
            name=op.f("fk_codesign_attendee_session_id_codesign_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_codesign_attendee")),
        sa.UniqueConstraint(
            "session_id",
            "contributor_id",
            name=op.f("uq_codesign_attendee_session_id_contributor_id"),
        ),
    )
    with op.batch_alter_table("codesign_attendee", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_codesign_attendee_contributor_id"), ["contributor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_codesign_attendee_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "contributor_involvement",
        sa.Column("contributor_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "codesign",
                "content_review",
                "feedback",
                "advisory_group",
                "teaching",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["contributor_id"],
            ["public_contributor.id"],
            name=op.f("fk_contributor_involvement_contributor_id_public_contributor"),
        ),
        sa.PrimaryKeyConstraint("contributor_id", "kind", name=op.f("pk_contributor_involvement")),
    )
    with op.batch_alter_table("feedback_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pilot_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("contributor_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("entered_by_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_feedback_item_contributor_id"), ["contributor_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_feedback_item_pilot_id"), ["pilot_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_feedback_item_contributor_id_public_contributor"),
            "public_contributor",
            ["contributor_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_feedback_item_pilot_id_pilot"), "pilot", ["pilot_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_feedback_item_entered_by_id_user_account"),
            "user_account",
            ["entered_by_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_feedback_item_contributor_is_public"),
            "contributor_id IS NULL OR source = 'patient_public'",
        )


def downgrade():
    with op.batch_alter_table("feedback_item", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_feedback_item_contributor_is_public"), type_="check"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_feedback_item_entered_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_feedback_item_pilot_id_pilot"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_feedback_item_contributor_id_public_contributor"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_feedback_item_pilot_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_item_contributor_id"))
        batch_op.drop_column("entered_by_id")
        batch_op.drop_column("contributor_id")
        batch_op.drop_column("pilot_id")

    op.drop_table("contributor_involvement")
    with op.batch_alter_table("codesign_attendee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_codesign_attendee_session_id"))
        batch_op.drop_index(batch_op.f("ix_codesign_attendee_contributor_id"))

    op.drop_table("codesign_attendee")
    with op.batch_alter_table("public_contributor", schema=None) as batch_op:
        batch_op.drop_index("ix_public_contributor_pilot_name")

    op.drop_table("public_contributor")
