"""participants.csv, feedback.csv and progress.csv written by PostgreSQL itself.

Formatting hundreds of thousands of rows in Python costs several times what the database
needs to produce the same CSV, so on PostgreSQL the biggest files come from ``COPY (SELECT
...) TO STDOUT``: formula protection and the k-anonymity plan's dates (UK day, first of
the month, or nothing) are SQL expressions; free text is the de-identified version stored
when it was written (brought up to date first: stored_redaction.py); pseudonyms are
computed here (the study secret never reaches the database) and joined in from a
temporary table, filled once per package. The output reads the same as the Python writer's
(tests compare them); SQLite uses that writer.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import aggregate_order_by

from futuredoctor.evaluation.kanonymity import MONTH_LEVEL, WITHHELD_LEVEL, Plan
from futuredoctor.evaluation.participant_groups import (
    recorded_group,
    recorded_stage,
    shown_group,
    shown_stage,
)
from futuredoctor.evaluation.pseudonyms import pseudonym
from futuredoctor.evaluation.schema import TABLES_BY_FILE
from futuredoctor.evaluation.scope import ExportScope
from futuredoctor.evaluation.tables import (
    ITEM_PILOT,
    ITEM_REGION,
    current_consent,
    feedback_select,
    k_plan,
    participants_select,
    progress_select,
    texts_current,
)
from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    ConsentStatement,
    Enrolment,
    FeedbackItem,
    FeedbackTag,
    Pilot,
    Progress,
    Region,
    Release,
    User,
    feedback_item_tag,
)
from futuredoctor.spreadsheet import FORMULA_STARTS
from futuredoctor.timezones import local_zone
from futuredoctor.transactions import mark_written

COPY_TABLES = {"participants", "feedback", "progress"}
CHUNK_BYTES = 64 * 1024
FILL_BATCH = 5_000
_FORMULA_CODES = [ord(ch) for ch in (*FORMULA_STARTS, "'")]


def _literal_sql(stmt: Any) -> str:
    return str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def _pseudonyms(name: str) -> Any:
    return sa.table(name, sa.column("user_id"), sa.column("pseudonym"))


def can_copy(table_name: str, scope: ExportScope) -> bool:
    """Free text is copied as stored, de-identified when written (stored_redaction.py)."""
    return (
        table_name in COPY_TABLES
        and not k_plan(scope).withheld  # the people left out are filtered in Python
        and db.session.get_bind().dialect.name == "postgresql"
    )


def _protect(column: Any) -> Any:
    """SQL twin of package.protect: text starting like a formula, or with the apostrophe
    itself, gets an apostrophe (so the import scripts can take exactly one off)."""
    return sa.case(
        (sa.func.ascii(column).in_(_FORMULA_CODES), sa.func.concat("'", column)),
        else_=column,
    )


def _shown_date(column: Any, plan: Plan) -> Any:
    """SQL twin of ``Plan.date`` over ``uk_date_text``: the UK date, the first of its
    month, or nothing, as the package's k-anonymity plan says."""
    if plan.level >= WITHHELD_LEVEL:
        return sa.null()
    local = sa.func.timezone(local_zone().key, column)
    if plan.level >= MONTH_LEVEL:
        local = sa.func.date_trunc("month", local)
    return sa.func.to_char(local, "YYYY-MM-DD")


def _boolean(condition: Any) -> Any:
    """True or False, spelt as the Python writer spells them (unquoted)."""
    return sa.case((condition, "True"), else_="False")


def _pseudonym_table(cursor: Any, scope: ExportScope, secret: bytes) -> Any:
    """A temporary table of the pseudonym of everyone the package may show, filled once
    per package and key (it lives until the transaction ends: refilled if that happened
    between files)."""
    key = f"pseudonym_table:{hashlib.sha256(secret).hexdigest()}"
    name = scope.context.get(key)
    if name is not None:
        cursor.execute("SELECT to_regclass(%s)", (f"pg_temp.{name}",))
        if cursor.fetchone()[0] is not None:
            return _pseudonyms(name)
    name = f"export_pseudonym_{secrets.token_hex(8)}"
    cursor.execute(
        f"CREATE TEMP TABLE {name} (user_id integer PRIMARY KEY, pseudonym text NOT NULL) "
        "ON COMMIT DROP"
    )
    # Everyone enrolled in the scope's cohorts: a superset of the people in the files, and
    # much cheaper to list than the distinct people of each file. Read and written as
    # plain text in batches: through the ORM and row by row it took longer than the query.
    people = (
        sa.select(Enrolment.user_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Cohort.pilot_id.in_(scope.pilot_ids()))
        .distinct()
    )
    cursor.execute(_literal_sql(people))
    user_ids = [row[0] for row in cursor.fetchall()]
    with cursor.copy(f"COPY {name} (user_id, pseudonym) FROM STDIN") as copy:
        for start in range(0, len(user_ids), FILL_BATCH):
            batch = user_ids[start : start + FILL_BATCH]
            copy.write("".join(f"{u}\t{pseudonym(secret, u)}\n" for u in batch))
    scope.context[key] = name
    return _pseudonyms(name)


def _tags() -> Any:
    """Each tagged item's tag names, aggregated once and joined in (rather than a
    correlated subquery evaluated for every row)."""
    return (
        sa.select(
            feedback_item_tag.c.feedback_item_id,
            sa.func.string_agg(
                FeedbackTag.name, aggregate_order_by(sa.literal_column("';'"), FeedbackTag.name)
            ).label("names"),
        )
        .join(FeedbackTag, FeedbackTag.id == feedback_item_tag.c.tag_id)
        .group_by(feedback_item_tag.c.feedback_item_id)
        .subquery("item_tags")
    )


def _chosen(
    file_name: str, scope: ExportScope, columns: list[Any], quoted: set[int]
) -> tuple[list[Any], list[str]]:
    """The file's columns this package carries, labelled ``c<position>``, and the labels of
    those to quote (text, as the Python writer quotes it)."""
    chosen = TABLES_BY_FILE[file_name].positions(scope.free_text)
    labelled = [columns[i].label(f"c{i}") for i in chosen]
    return labelled, [f"c{i}" for i in chosen if i in quoted]


def _feedback_sql(scope: ExportScope, people: Any) -> tuple[str, list[str]]:
    text = _protect
    tags = _tags()
    columns = [
        FeedbackItem.id,
        FeedbackItem.module_version_id,
        sa.cast(FeedbackItem.source, sa.Text),
        people.c.pseudonym,
        ITEM_REGION.code,
        ITEM_PILOT.slug,
        Cohort.slug,  # slugs are validated to start with a letter or digit
        FeedbackItem.codesign_session_id,
        FeedbackItem.relevance,
        FeedbackItem.quality,
        FeedbackItem.applicability,
        sa.cast(FeedbackItem.status, sa.Text),
        FeedbackItem.addressed_by_version_id,
        text(tags.c.names),
        _shown_date(FeedbackItem.created_at, k_plan(scope)),
        _boolean(FeedbackItem.pilot_id.is_not(None)),
        _boolean(FeedbackItem.contributor_id.is_not(None)),
        text(FeedbackItem.text_redacted),
        text(FeedbackItem.status_reason_redacted),
        _boolean(FeedbackItem.has_redactions),
    ]
    # Text columns, quoted as the Python writer does; then only the package's fields.
    quoted = {2, 3, 4, 5, 6, 11, 13, 14, 17, 18}
    labelled, quoted_names = _chosen("feedback.csv", scope, columns, quoted)
    stmt = (
        feedback_select(scope, *labelled)
        .outerjoin(people, people.c.user_id == Enrolment.user_id)
        .outerjoin(tags, tags.c.feedback_item_id == FeedbackItem.id)
        .order_by(FeedbackItem.id)
    )
    return _literal_sql(stmt), quoted_names


def _progress_sql(scope: ExportScope, people: Any) -> tuple[str, list[str]]:
    plan = k_plan(scope)
    columns = [
        people.c.pseudonym,
        Region.code,
        Pilot.slug,
        Cohort.slug,
        Progress.release_id,
        Release.module_version_id,
        _shown_date(Progress.started_at, plan),
        _shown_date(Progress.completed_at, plan),
    ]
    quoted = {0, 1, 2, 3, 6, 7}
    labelled, quoted_names = _chosen("progress.csv", scope, columns, quoted)
    stmt = (
        progress_select(scope, *labelled)
        .outerjoin(people, people.c.user_id == Enrolment.user_id)
        .order_by(Progress.id)
    )
    return _literal_sql(stmt), quoted_names


def _participants_sql(scope: ExportScope, people: Any) -> tuple[str, list[str]]:
    plan = k_plan(scope)
    consent = current_consent(scope)
    columns = [
        people.c.pseudonym,
        Region.code,
        Pilot.slug,
        Cohort.slug,
        shown_group(recorded_group(User.professional_group), plan.level),
        shown_stage(recorded_stage(User.career_stage), plan.level),
        sa.cast(Enrolment.status, sa.Text),
        _shown_date(Enrolment.enrolled_at, plan),
        _shown_date(Enrolment.withdrawn_at, plan),
        ConsentStatement.version,
        _shown_date(consent.c.recorded_at, plan),
    ]
    quoted = {0, 1, 2, 3, 4, 5, 6, 7, 8, 10}
    labelled, quoted_names = _chosen("participants.csv", scope, columns, quoted)
    stmt = (
        participants_select(scope, consent, *labelled)
        .join(people, people.c.user_id == Enrolment.user_id)
        .order_by(Enrolment.id)
    )
    return _literal_sql(stmt), quoted_names


_SQL = {"participants": _participants_sql, "feedback": _feedback_sql, "progress": _progress_sql}


def copy_chunks(table_name: str, scope: ExportScope, secret: bytes) -> Iterator[bytes | int]:
    """The CSV rows (without header) as chunks, then the row count as the last item."""
    raw = db.session.connection().connection.dbapi_connection
    assert raw is not None  # a checked-out connection always has its DBAPI connection
    cursor = raw.cursor()
    mark_written()  # the temporary table is written through the raw cursor
    try:
        texts_current(scope, table_name)  # before COPY reads the stored text
        people = _pseudonym_table(cursor, scope, secret)
        sql, quoted = _SQL[table_name](scope, people)
        options = f"FORMAT csv, FORCE_QUOTE ({', '.join(quoted)})"
        with cursor.copy(f"COPY ({sql}) TO STDOUT WITH ({options})") as copy:
            # PostgreSQL sends one message per row: gathered into chunks, so what follows
            # (checksum, zip entry) runs once per chunk rather than once per row.
            pending = bytearray()
            for row in copy:
                pending += row
                if len(pending) >= CHUNK_BYTES:
                    yield bytes(pending)
                    pending.clear()
            if pending:
                yield bytes(pending)
        yield cursor.rowcount
    finally:
        cursor.close()
