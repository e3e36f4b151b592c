"""the k-anonymity check's summary of dates: distinct consenting people per cohort, group,
stage and UK day, month or banded month of each date column, with triggers marking a cohort stale

Revision ID: 0029
Revises: 0028

No cell is counted here: every cohort starts without a ``dated_cohort`` row, which an
export treats as not yet counted (it counts those cohorts live), and the scheduler's
``count_dated_people`` job counts them. The triggers mark a cohort whenever a fact its
cells depend on changes, however it is written (the application, a bulk ``COPY``, plain
SQL): on PostgreSQL inserts and deletes are marked once per statement, updates once per
row and only when a column the cells read changes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

# The cohorts a set of rows ``r`` (one column, ``k``) touches.
_VIA_ENROLMENT = "SELECT e.cohort_id FROM {rows} r JOIN enrolment e ON e.id = r.k"
_VIA_ITEM = (
    "SELECT e.cohort_id FROM {rows} r JOIN feedback_item f ON f.id = r.k "
    "JOIN enrolment e ON e.id = f.enrolment_id"
)
_VIA_USER = "SELECT e.cohort_id FROM {rows} r JOIN enrolment e ON e.user_id = r.k"
_DIRECT = "SELECT r.k FROM {rows} r"

# table: (key column, cohorts of rows, columns whose change matters, marks inserts/deletes)
WATCHED = {
    "progress": (
        "enrolment_id",
        _VIA_ENROLMENT,
        ["enrolment_id", "release_id", "started_at", "completed_at"],
        True,
    ),
    "feedback_item": ("enrolment_id", _VIA_ENROLMENT, ["enrolment_id", "created_at"], True),
    "feedback_status_change": (
        "feedback_item_id",
        _VIA_ITEM,
        ["feedback_item_id", "changed_at"],
        True,
    ),
    "consent_record": (
        "enrolment_id",
        _VIA_ENROLMENT,
        ["enrolment_id", "given", "recorded_at"],
        True,
    ),
    "enrolment": ("cohort_id", _DIRECT, ["cohort_id", "user_id"], True),
    "user_account": ("id", _VIA_USER, ["professional_group", "career_stage"], False),
    "release": ("cohort_id", _DIRECT, ["cohort_id"], False),
}


def _mark(cohorts: str, rows: str) -> str:
    """SQL marking the cohorts of ``rows`` stale (every part is a constant of this file)."""
    found = cohorts.format(rows=rows)
    return f"INSERT INTO dated_stale (cohort_id) SELECT DISTINCT * FROM ({found}) c"  # noqa: S608


def upgrade():
    op.create_table(
        "dated_people",
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("date_column", sa.SmallInteger(), nullable=False),
        sa.Column("professional_group", sa.String(length=32), nullable=False),
        sa.Column("career_stage", sa.String(length=16), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("shown", sa.Date(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_dated_people_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "cohort_id",
            "date_column",
            "professional_group",
            "career_stage",
            "level",
            "shown",
            name=op.f("pk_dated_people"),
        ),
    )
    with op.batch_alter_table("dated_people") as batch:
        batch.create_index("ix_dated_people_level_people", ["level", "people"], unique=False)
    op.create_table(
        "dated_cohort",
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=True),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.Column("other_releases", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_dated_cohort_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cohort_id", name=op.f("pk_dated_cohort")),
    )
    op.create_table(
        "dated_stale",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dated_stale")),
    )
    with op.batch_alter_table("dated_stale") as batch:
        batch.create_index(batch.f("ix_dated_stale_cohort_id"), ["cohort_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _postgresql_triggers():
    for table, (key, cohorts, columns, whole) in WATCHED.items():
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
        both = f"(SELECT OLD.{key} AS k UNION SELECT NEW.{key} AS k)"
        inserted = _mark(cohorts, f"(SELECT {key} AS k FROM new_rows)")  # noqa: S608
        deleted = _mark(cohorts, f"(SELECT {key} AS k FROM old_rows)")  # noqa: S608
        op.execute(
            f"CREATE FUNCTION dated_stale_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN IF TG_OP = 'INSERT' THEN {inserted}; "
            f"ELSIF TG_OP = 'DELETE' THEN {deleted}; "
            f"ELSE {_mark(cohorts, both)}; END IF; RETURN NULL; END $$"
        )
        function = f"EXECUTE FUNCTION dated_stale_{table}()"
        op.execute(
            f"CREATE TRIGGER dated_stale_update AFTER UPDATE OF {', '.join(columns)} "
            f"ON {table} FOR EACH ROW WHEN ({changed}) {function}"
        )
        if whole:
            op.execute(
                f"CREATE TRIGGER dated_stale_insert AFTER INSERT ON {table} "
                f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT {function}"
            )
            op.execute(
                f"CREATE TRIGGER dated_stale_delete AFTER DELETE ON {table} "
                f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT {function}"
            )


def _sqlite_triggers():
    for table, (key, cohorts, columns, whole) in WATCHED.items():
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
        both = f"(SELECT OLD.{key} AS k UNION SELECT NEW.{key} AS k)"
        op.execute(
            f"CREATE TRIGGER dated_stale_{table}_update AFTER UPDATE OF {', '.join(columns)} "
            f"ON {table} WHEN {changed} BEGIN {_mark(cohorts, both)}; END"
        )
        if whole:
            for verb, row in (("INSERT", "NEW"), ("DELETE", "OLD")):
                op.execute(
                    f"CREATE TRIGGER dated_stale_{table}_{verb.lower()} AFTER {verb} ON {table} "
                    f"BEGIN {_mark(cohorts, f'(SELECT {row}.{key} AS k)')}; END"
                )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table, (_, _, _, whole) in WATCHED.items():
            for verb in ("update", "insert", "delete") if whole else ("update",):
                op.execute(f"DROP TRIGGER dated_stale_{verb} ON {table}")
            op.execute(f"DROP FUNCTION dated_stale_{table}()")
    else:
        for table, (_, _, _, whole) in WATCHED.items():
            for verb in ("update", "insert", "delete") if whole else ("update",):
                op.execute(f"DROP TRIGGER dated_stale_{table}_{verb}")
    with op.batch_alter_table("dated_stale") as batch:
        batch.drop_index(batch.f("ix_dated_stale_cohort_id"))
    with op.batch_alter_table("dated_people") as batch:
        batch.drop_index("ix_dated_people_level_people")
    op.drop_table("dated_stale")
    op.drop_table("dated_cohort")
    op.drop_table("dated_people")
