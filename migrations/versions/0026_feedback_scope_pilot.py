"""each feedback item keeps the pilot it belongs to; indexes for the inbox's and the
new-version editor's pages of one pilot's or one version's feedback

Revision ID: 0026
Revises: 0025
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

OPEN_ITEMS = "status IN ('received', 'under_review', 'planned', 'in_progress')"
# The pilot of the item's enrolment's cohort, else of its co-design session, else the
# pilot it was entered for.
BACKFILL = """
UPDATE feedback_item SET scope_pilot_id = COALESCE(
    (SELECT cohort.pilot_id FROM enrolment JOIN cohort ON cohort.id = enrolment.cohort_id
     WHERE enrolment.id = feedback_item.enrolment_id),
    (SELECT codesign_session.pilot_id FROM codesign_session
     WHERE codesign_session.id = feedback_item.codesign_session_id),
    feedback_item.pilot_id
)
"""


def upgrade():
    with op.batch_alter_table("feedback_item") as batch:
        batch.add_column(sa.Column("scope_pilot_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_feedback_item_scope_pilot_id_pilot"), "pilot", ["scope_pilot_id"], ["id"]
        )
    op.execute(BACKFILL)
    # Serves /feedback for a lead educator: one pilot's items newest first.
    op.create_index(
        "ix_feedback_item_scope_pilot_created",
        "feedback_item",
        ["scope_pilot_id", "created_at", "id"],
        unique=False,
    )
    # Serve /modules/<slug>/versions/new: the picker of open feedback to address reads each
    # version's open items (of the person's pilot, for a lead educator) oldest first and
    # stops after a page, instead of sorting all of the module's open items (5,713 at
    # national size) on every view.
    op.create_index(
        "ix_feedback_item_open_version_created",
        "feedback_item",
        ["module_version_id", "created_at", "id"],
        unique=False,
        sqlite_where=sa.text(OPEN_ITEMS),
        postgresql_where=sa.text(OPEN_ITEMS),
    )
    op.create_index(
        "ix_feedback_item_open_version_pilot_created",
        "feedback_item",
        ["module_version_id", "scope_pilot_id", "created_at", "id"],
        unique=False,
        sqlite_where=sa.text(OPEN_ITEMS),
        postgresql_where=sa.text(OPEN_ITEMS),
    )


def downgrade():
    op.drop_index("ix_feedback_item_open_version_pilot_created", table_name="feedback_item")
    op.drop_index("ix_feedback_item_open_version_created", table_name="feedback_item")
    op.drop_index("ix_feedback_item_scope_pilot_created", table_name="feedback_item")
    with op.batch_alter_table("feedback_item") as batch:
        batch.drop_constraint(batch.f("fk_feedback_item_scope_pilot_id_pilot"), type_="foreignkey")
        batch.drop_column("scope_pilot_id")
