"""each cohort keeps its number of people by enrolment status, kept by the database

Revision ID: 0034
Revises: 0033

Serves the pages that show a cohort's places: the region page (/regions/<code>), the pilot
page (/pilots/<slug>), the cohort page, the roster, the regional dashboard and the staff
home pages. Each counted the enrolments of every cohort it showed in a grouped statement
of its own (0.8 ms of PostgreSQL for the 12 cohorts, 8,600 enrolments, of the biggest
pilot); the counts now come with the cohort row the page reads anyway.

A trigger on enrolment changes the counts in the same statement as the enrolment, on every
path (enrolling, the waitlist, withdrawing, moving between cohorts, deleting), so the
figures are never behind the facts. The cohort row is the one enrolling already locks to
hold its capacity, so no new waiting is added.
"""

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None

# Status values as stored (``EnrolmentStatus``), copied so this migration keeps its meaning.
STATUSES = ("enrolled", "waitlisted", "invited", "withdrawn")


def _counts(row: str, sign: str, true: str) -> str:
    """``SET`` clauses adding (``sign`` "+") or taking away ("-") ``row``'s status."""
    return ", ".join(
        f"{s}_count = {s}_count {sign} {true.format(f'{row}.status = {s!r}')}" for s in STATUSES
    )


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for status in STATUSES:
        op.add_column(
            "cohort", sa.Column(f"{status}_count", sa.Integer(), server_default="0", nullable=False)
        )
    recount = ", ".join(
        f"{s}_count = (SELECT count(*) FROM enrolment "  # noqa: S608  (constants of this file)
        f"WHERE enrolment.cohort_id = cohort.id AND enrolment.status = '{s}')"
        for s in STATUSES
    )
    op.execute(f"UPDATE cohort SET {recount}")  # noqa: S608  (constants of this file)
    if postgres:
        _postgres_trigger()
    else:
        _sqlite_triggers()


def _postgres_trigger():
    true = "({})::int"
    op.execute(
        f"""
        CREATE FUNCTION cohort_enrolment_counts() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP <> 'INSERT' THEN
            UPDATE cohort SET {_counts("OLD", "-", true)} WHERE id = OLD.cohort_id;
          END IF;
          IF TG_OP <> 'DELETE' THEN
            UPDATE cohort SET {_counts("NEW", "+", true)} WHERE id = NEW.cohort_id;
          END IF;
          RETURN NULL;
        END $$
        """  # noqa: S608  (constants of this file)
    )
    op.execute(
        "CREATE TRIGGER cohort_enrolment_counts "
        "AFTER INSERT OR DELETE OR UPDATE OF status, cohort_id ON enrolment "
        "FOR EACH ROW EXECUTE FUNCTION cohort_enrolment_counts()"
    )


def _sqlite_triggers():
    true = "({})"  # a comparison is 0 or 1
    take = f"UPDATE cohort SET {_counts('OLD', '-', true)} WHERE id = OLD.cohort_id;"  # noqa: S608
    add = f"UPDATE cohort SET {_counts('NEW', '+', true)} WHERE id = NEW.cohort_id;"  # noqa: S608
    for name, event, body in (
        ("insert", "AFTER INSERT", add),
        ("delete", "AFTER DELETE", take),
        ("update", "AFTER UPDATE OF status, cohort_id", take + " " + add),
    ):
        op.execute(
            f"CREATE TRIGGER cohort_enrolment_counts_{name} {event} ON enrolment "
            f"FOR EACH ROW BEGIN {body} END"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER cohort_enrolment_counts ON enrolment")
        op.execute("DROP FUNCTION cohort_enrolment_counts()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER cohort_enrolment_counts_{name}")
    # In place on SQLite too: rebuilding the table would drop the cohort's other triggers.
    for status in STATUSES:
        op.execute(f"ALTER TABLE cohort DROP COLUMN {status}_count")
