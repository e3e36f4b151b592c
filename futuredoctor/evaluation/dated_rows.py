"""The dated rows of a participant-level package, for the k-anonymity check of its dates.

Each date column of progress.csv, feedback.csv and actions.csv is checked on its own: the
rows it would show are grouped by cohort × professional group × career stage × the date
as shown (the UK day, or the first of its month), counting distinct participants. The
rows are exactly those the files hold (the same queries, from ``tables``).

On PostgreSQL the counting happens in the database (1.5 million progress rows would take
seconds to pass through Python); SQLite streams the rows to ``kanonymity``, which counts
them the same way. Tests run both on the same data.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import array

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
    scope: ExportScope, person: bool = True
) -> list[tuple[list[str], sa.Select[Any]]]:
    """(files and columns, a query of account id, cohort, group and stage unless
    ``person`` is false, then one instant per column): progress's two dates come from one
    query, so PostgreSQL reads it once."""
    who = (User.professional_group, User.career_stage) if person else ()

    def with_person(stmt: sa.Select[Any], user_id: Any) -> sa.Select[Any]:
        return stmt.join(User, User.id == user_id) if person else stmt

    progress = with_person(
        progress_select(
            scope, Enrolment.user_id, Cohort.slug, *who, Progress.started_at, Progress.completed_at
        ),
        Enrolment.user_id,
    )
    feedback = with_person(
        feedback_select(scope, Enrolment.user_id, Cohort.slug, *who, FeedbackItem.created_at),
        Enrolment.user_id,
    )
    exported = exported_feedback(scope)
    actions = with_person(
        sa.select(exported.c.user_id, exported.c.cohort, *who, FeedbackStatusChange.changed_at)
        .select_from(FeedbackStatusChange)
        .join(exported, exported.c.feedback_id == FeedbackStatusChange.feedback_item_id),
        exported.c.user_id,
    )
    return [
        (["progress.started_on", "progress.completed_on"], progress),
        (["feedback.given_on"], feedback),
        (["actions.changed_on"], actions),
    ]


def dated_rows(scope: ExportScope) -> Iterator[DatedRow]:
    for columns, stmt in dated_sources(scope):
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


def small_date_levels_sql(scope: ExportScope, k: int) -> set[int]:
    """``kanonymity.small_date_levels``, counted by PostgreSQL: one query per file, which
    reads the file's rows once and checks the three levels over them."""
    # Room to group a national file's rows in memory rather than in temporary files.
    db.session.execute(sa.text("SET LOCAL work_mem = '64MB'"))
    levels: set[int] = set()
    for _, stmt in dated_sources(scope, person=False):
        levels |= _small_levels(stmt, k)
        if levels >= set(range(WITHHELD_LEVEL)):
            break  # dates are withheld whatever the other files hold
    return levels


def _small_levels(stmt: sa.Select[Any], k: int) -> set[int]:
    """The levels at which some group of the file's dates holds fewer than k people.

    A person's professional group and career stage (and so its band) are their account's,
    so a group's distinct people are its distinct (column, person, cohort, date shown):
    the rows are reduced to those on narrow keys first (one row per person, cohort and UK
    day, then per month) and labelled with group and stage only afterwards. Day groups
    are counted over the first; month groups, with stages as they are and banded, over
    the second in one pass (``GROUPING SETS``); all in one statement that reads the
    file's rows once, its date columns unnested side by side.
    """
    src = stmt.subquery("dated")
    user_id, cohort, *instants = src.c
    pairs = sa.select(
        user_id.label("user_id"),
        cohort.label("cohort"),
        sa.func.unnest(array([sa.literal(n) for n in range(len(instants))])).label("col"),
        sa.func.unnest(array(instants)).label("instant"),
    ).subquery("pairs")
    day = sa.cast(sa.func.timezone(local_zone().key, pairs.c.instant), sa.Date)
    by_day = (
        sa.select(pairs.c.col, pairs.c.user_id, pairs.c.cohort, day.label("shown"))
        .where(pairs.c.instant.is_not(None))
        .group_by(pairs.c.col, pairs.c.user_id, pairs.c.cohort, day)
        .cte("by_day")
    )
    month = sa.cast(sa.func.date_trunc("month", by_day.c.shown), sa.Date)
    by_month = (
        sa.select(by_day.c.col, by_day.c.user_id, by_day.c.cohort, month.label("shown"))
        .group_by(by_day.c.col, by_day.c.user_id, by_day.c.cohort, month)
        .subquery("by_month")
    )
    days, months = _labelled(by_day), _labelled(by_month)
    days_small = (
        sa.select(sa.literal(1))
        .select_from(days)
        .group_by(days.c.col, days.c.cohort, days.c.grp, days.c.stage, days.c.shown)
        .having(sa.func.count() < k)
    )
    keys = (months.c.col, months.c.cohort, months.c.grp)
    # grouping(band) is 1 in the set with stages as they are (MONTH_LEVEL), 0 with bands.
    months_small = (
        sa.select((MONTH_LEVEL + 1 - sa.func.grouping(months.c.band)).label("level"))
        .group_by(
            sa.func.grouping_sets(
                sa.tuple_(*keys, months.c.stage, months.c.shown),
                sa.tuple_(*keys, months.c.band, months.c.shown),
            )
        )
        .having(sa.func.count() < k)
    )
    day_level = sa.select(sa.literal(0).label("level")).where(sa.exists(days_small))
    levels = sa.union(day_level, months_small).subquery("levels")
    return set(db.session.scalars(sa.select(levels.c.level)))


def _labelled(people: Any) -> Any:
    """People's rows with their group, stage and band as the package would count them."""
    group = sa.case(
        (User.professional_group.in_(PROFESSIONAL_GROUPS), User.professional_group),
        else_=UNKNOWN,
    )
    stage = sa.case((User.career_stage.in_(CAREER_STAGES), User.career_stage), else_=UNKNOWN)
    band = sa.case(
        *((User.career_stage == name, b) for name, b in STAGE_BANDS.items()), else_=stage
    )
    return (
        sa.select(
            people.c.col,
            people.c.cohort,
            people.c.shown,
            group.label("grp"),
            stage.label("stage"),
            band.label("band"),
        )
        .join(User, User.id == people.c.user_id)
        .subquery()
    )
