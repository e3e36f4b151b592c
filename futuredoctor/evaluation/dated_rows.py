"""The dated rows of a participant-level package, for the k-anonymity check of its dates.

Each date column of progress.csv, feedback.csv and actions.csv is checked on its own: the
rows it would show are grouped by cohort × professional group × career stage × the date
as shown (the UK day, or the first of its month), counting distinct participants. The
rows are exactly those the files hold (the same queries, from ``tables``).

These are the live counts. A package reads them from the maintained summary
(``dated_summary``) and counts live only the cohorts the summary cannot answer for; the
summary's recount of a cohort uses the same queries. On PostgreSQL the counting happens in
the database (1.5 million progress rows would take seconds to pass through Python); SQLite
streams the rows to ``kanonymity``, which counts them the same way. Tests run both on the
same data.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from futuredoctor.evaluation.fields import PROFESSIONAL_GROUPS, UNKNOWN
from futuredoctor.evaluation.kanonymity import MONTH_LEVEL, WITHHELD_LEVEL, DatedRow
from futuredoctor.evaluation.kanonymity_terms import STAGE_BANDS
from futuredoctor.evaluation.scope import ExportScope
from futuredoctor.evaluation.tables import (
    exported_feedback,
    feedback_select,
    progress_select,
    uk_date_text,
)
from futuredoctor.extensions import db
from futuredoctor.models import (
    CAREER_STAGES,
    Cohort,
    Enrolment,
    FeedbackItem,
    FeedbackStatusChange,
    Progress,
    User,
)
from futuredoctor.timezones import local_zone


def dated_sources(
    scope: ExportScope, cohort_ids: list[int] | None = None
) -> list[tuple[list[str], sa.Select[Any]]]:
    """(files and columns, a query of account id, cohort, group, stage, then one instant
    per column): progress's two dates come from one query, so PostgreSQL reads it once.
    With ``cohort_ids``, only the rows of participants enrolled in those cohorts."""
    person = (User.professional_group, User.career_stage)
    progress = progress_select(
        scope,
        Enrolment.user_id,
        Cohort.slug,
        *person,
        Progress.started_at,
        Progress.completed_at,
    ).join(User, User.id == Enrolment.user_id)
    feedback = feedback_select(
        scope, Enrolment.user_id, Cohort.slug, *person, FeedbackItem.created_at
    ).join(User, User.id == Enrolment.user_id)
    if cohort_ids is not None:
        progress = progress.where(Cohort.id.in_(cohort_ids))
        feedback = feedback.where(Cohort.id.in_(cohort_ids))
    exported = exported_feedback(scope, cohort_ids)
    actions = (
        sa.select(exported.c.user_id, exported.c.cohort, *person, FeedbackStatusChange.changed_at)
        .select_from(FeedbackStatusChange)
        .join(exported, exported.c.feedback_id == FeedbackStatusChange.feedback_item_id)
        .join(User, User.id == exported.c.user_id)
    )
    return [
        (["progress.started_on", "progress.completed_on"], progress),
        (["feedback.given_on"], feedback),
        (["actions.changed_on"], actions),
    ]


def dated_rows(scope: ExportScope, cohort_ids: list[int] | None = None) -> Iterator[DatedRow]:
    for columns, stmt in dated_sources(scope, cohort_ids):
        for user_id, cohort, group, stage, *instants in db.session.execute(stmt):
            for column, instant in zip(columns, instants, strict=True):
                day = uk_date_text(instant)
                if day is None:
                    continue
                yield (
                    column,
                    user_id,
                    cohort,
                    group if group in PROFESSIONAL_GROUPS else UNKNOWN,
                    stage if stage in CAREER_STAGES else UNKNOWN,
                    day,
                )


def small_date_levels_sql(
    scope: ExportScope, k: int, cohort_ids: list[int] | None = None
) -> set[int]:
    """``kanonymity.small_date_levels``, counted by PostgreSQL: one query per file, which
    reads the file's rows once and checks the three levels over them."""
    # Room to group a national file's rows in memory rather than in temporary files.
    db.session.execute(sa.text("SET LOCAL work_mem = '64MB'"))
    levels: set[int] = set()
    for _, stmt in dated_sources(scope, cohort_ids):
        levels |= _small_levels(stmt, k)
        if levels >= set(range(WITHHELD_LEVEL)):
            break  # dates are withheld whatever the other files hold
    return levels


def _small_levels(stmt: sa.Select[Any], k: int) -> set[int]:
    """Each level's people are the distinct (column, person, cohort, group, stage, shown
    date) of the level before, so every step works on fewer rows than the last."""
    by_day, by_month = person_dates(stmt)
    band = sa.case(
        *((by_month.c.stage == name, banded) for name, banded in STAGE_BANDS.items()),
        else_=by_month.c.stage,
    )
    by_band = (
        sa.select(*list(by_month.c)[:4], band.label("stage"), by_month.c.shown)
        .distinct()
        .cte("by_band")
    )
    checks = []
    for level, people in ((0, by_day), (MONTH_LEVEL, by_month), (2, by_band)):
        keys = [people.c.col, people.c.cohort, people.c.grp, people.c.stage, people.c.shown]
        small = sa.select(sa.literal(1)).group_by(*keys).having(sa.func.count() < k)
        checks.append((level, sa.exists(small.select_from(people))))
    found = db.session.execute(sa.select(*(check for _, check in checks))).one()
    return {level for (level, _), small in zip(checks, found, strict=True) if small}


def person_dates(stmt: sa.Select[Any]) -> tuple[Any, Any]:
    """The distinct (column number, person, cohort, group, stage, UK day) of a source's
    rows, and the same with the first of the month as the date (PostgreSQL)."""
    src = stmt.cte("dated")
    user_id, cohort, group, stage, *instants = src.c
    known_group = sa.case((group.in_(PROFESSIONAL_GROUPS), group), else_=UNKNOWN)
    known_stage = sa.case((stage.in_(CAREER_STAGES), stage), else_=UNKNOWN)
    zone = local_zone().key
    days = sa.union_all(
        *(
            sa.select(
                sa.literal(n).label("col"),
                user_id.label("user_id"),
                cohort.label("cohort"),
                known_group.label("grp"),
                known_stage.label("stage"),
                sa.cast(sa.func.timezone(zone, instant), sa.Date).label("shown"),
            ).where(instant.is_not(None))
            for n, instant in enumerate(instants)
        )
    ).subquery("days")
    by_day = sa.select(*days.c).distinct().cte("by_day")
    month = sa.cast(sa.func.date_trunc("month", by_day.c.shown), sa.Date)
    by_month = sa.select(*list(by_day.c)[:5], month.label("shown")).distinct().cte("by_month")
    return by_day, by_month
