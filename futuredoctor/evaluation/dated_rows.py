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


def dated_sources(scope: ExportScope) -> list[tuple[str, sa.Select[Any]]]:
    """(file and column, a query of account id, cohort, group, stage and the instant)."""
    person = (User.professional_group, User.career_stage)
    progress = [
        (
            f"progress.{name}",
            progress_select(scope, Enrolment.user_id, Cohort.slug, *person, column).join(
                User, User.id == Enrolment.user_id
            ),
        )
        for name, column in (
            ("started_on", Progress.started_at),
            ("completed_on", Progress.completed_at),
        )
    ]
    feedback = feedback_select(
        scope, Enrolment.user_id, Cohort.slug, *person, FeedbackItem.created_at
    ).join(User, User.id == Enrolment.user_id)
    exported = exported_feedback(scope)
    actions = (
        sa.select(exported.c.user_id, exported.c.cohort, *person, FeedbackStatusChange.changed_at)
        .select_from(FeedbackStatusChange)
        .join(exported, exported.c.feedback_id == FeedbackStatusChange.feedback_item_id)
        .join(User, User.id == exported.c.user_id)
    )
    return [*progress, ("feedback.given_on", feedback), ("actions.changed_on", actions)]


def dated_rows(scope: ExportScope) -> Iterator[DatedRow]:
    for column, stmt in dated_sources(scope):
        for user_id, cohort, group, stage, instant in db.session.execute(stmt):
            if instant is None:
                continue
            day = uk_date_text(instant)
            assert day is not None
            yield (
                column,
                user_id,
                cohort,
                group if group in PROFESSIONAL_GROUPS else UNKNOWN,
                stage if stage in CAREER_STAGES else UNKNOWN,
                day,
            )


def small_date_levels_sql(scope: ExportScope, k: int) -> set[int]:
    """``kanonymity.small_date_levels``, counted by PostgreSQL: one query per column."""
    levels: set[int] = set()
    for _, stmt in dated_sources(scope):
        levels |= _small_levels(stmt, k)
        if levels >= set(range(WITHHELD_LEVEL)):
            break  # dates are withheld whatever the other columns hold
    return levels


def _small_levels(stmt: sa.Select[Any], k: int) -> set[int]:
    src = stmt.subquery("dated")
    user_id, cohort, group, stage, instant = src.c
    local = sa.func.timezone(local_zone().key, instant)
    known_stage = sa.case((stage.in_(CAREER_STAGES), stage), else_=UNKNOWN)
    band = sa.case(
        *((known_stage == name, banded) for name, banded in STAGE_BANDS.items()),
        else_=known_stage,
    )
    rows = (
        sa.select(
            user_id.label("user_id"),
            cohort.label("cohort"),
            sa.case((group.in_(PROFESSIONAL_GROUPS), group), else_=UNKNOWN).label("grp"),
            known_stage.label("stage"),
            band.label("band"),
            sa.cast(local, sa.Date).label("day"),
            sa.cast(sa.func.date_trunc("month", local), sa.Date).label("month"),
        )
        .where(instant.is_not(None))
        .distinct()
        .cte("dated_rows")
    )
    shown = {0: (rows.c.stage, rows.c.day), MONTH_LEVEL: (rows.c.stage, rows.c.month)}
    shown[2] = (rows.c.band, rows.c.month)
    checks = []
    for level, (stage_shown, date_shown) in sorted(shown.items()):
        people = (
            sa.select(rows.c.user_id, rows.c.cohort, rows.c.grp, stage_shown, date_shown)
            .distinct()
            .subquery()
        )
        small = (
            sa.select(sa.literal(1))
            .select_from(people)
            .group_by(*list(people.c)[1:])
            .having(sa.func.count() < k)
        )
        checks.append(sa.exists(small).label(f"level_{level}"))
    found = db.session.execute(sa.select(*checks)).one()
    return {level for level, small in zip(sorted(shown), found, strict=True) if small}
