"""The k-anonymity check's summary of dates, so a national package does not hash two
million person-days before its first file.

The check asks, for each date column of progress.csv, feedback.csv and actions.csv,
whether some cohort × professional group × career stage × shown date holds fewer than k
distinct participants, with the date shown as a UK day (level 0) or as its month (level 1),
and with career stages banded (level 2, months). ``dated_people`` keeps, per cohort, the
number of distinct consenting participants of each such cell, by day, by month and by
month with banded stages. A month is counted on its own (someone with two dates in it is
one person, not two), while a band is the sum of its stages: everyone has one stage, so
the stages of a band hold different people. Each level's check is then one index probe:
is there a cell of the package's cohorts under k? A package's groups never span cohorts,
so the check is the union of per-cohort checks, and every cohort can be answered from
its cells or counted live on its own.

Database triggers (migration 0029) mark a cohort in ``dated_stale`` whenever a fact its
cells read changes: progress, feedback, status changes, consent records, enrolments, a
person's professional group or career stage, a release's cohort. The scheduler's
``count_dated_people`` job recounts marked cohorts (and those never counted), up to a
hundred per transaction, deleting only the marks it read before counting; a mark written while it
counts survives to the next run.

A package reads a cohort's cells only when they are exactly the counts its own rows would
give; otherwise it counts that cohort live (``dated_rows``). The cells are usable when the
cohort has no mark, was counted, has no progress against another cohort's release, every
date that puts a row into a file (progress started or completed, feedback given) lies in
the package's date range (so the package holds every row the cells counted), and no
consent record falls between the count and the package's ``as_of``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa

from futuredoctor import clock
from futuredoctor.evaluation.dated_rows import (
    dated_rows,
    dated_sources,
    person_dates,
    small_date_levels_sql,
)
from futuredoctor.evaluation.kanonymity import (
    MONTH_LEVEL,
    WITHHELD_LEVEL,
    small_date_levels,
)
from futuredoctor.evaluation.kanonymity_terms import STAGE_BANDS
from futuredoctor.evaluation.scope import ExportScope, ScopeChoice
from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    ConsentRecord,
    DatedCohort,
    DatedPeople,
    DatedStale,
    Enrolment,
    Progress,
    Release,
)

DATE_COLUMNS = [
    "progress.started_on",
    "progress.completed_on",
    "feedback.given_on",
    "actions.changed_on",
]
# The columns whose dates decide whether a row is in its file (actions follow feedback).
RANGE_COLUMNS = 3
# A recount reads every row dated in these years (a package's range always lies inside).
COUNT_FROM = date(2000, 1, 1)
COUNT_TO = date(2099, 12, 31)
ALL_LEVELS = set(range(WITHHELD_LEVEL))
# (date column number, group, stage, level, shown date) -> distinct participants
Cells = dict[tuple[int, str, str, int, date], int]
BAND_LEVEL = 2
# Cohorts recounted in one transaction (each file read once for all of them).
COHORTS_AT_ONCE = 100


def small_date_levels_for(scope: ExportScope, k: int) -> set[int]:
    """``kanonymity.small_date_levels`` for the package's rows: from the summary for the
    cohorts it answers for, counted live for the rest."""
    in_scope = list(db.session.scalars(_cohorts_in(scope)))
    usable = usable_cohorts(scope, in_scope)
    levels = levels_from_cells(usable, k) if usable else set()
    live = [c for c in in_scope if c not in set(usable)]
    if live and not levels >= ALL_LEVELS:
        levels |= live_levels(scope, k, live)
    return levels


def live_levels(scope: ExportScope, k: int, cohort_ids: list[int] | None = None) -> set[int]:
    if db.session.get_bind().dialect.name == "postgresql":
        return small_date_levels_sql(scope, k, cohort_ids)
    return small_date_levels(dated_rows(scope, cohort_ids), k)


def _cohorts_in(scope: ExportScope) -> sa.Select[Any]:
    return sa.select(Cohort.id).where(Cohort.pilot_id.in_(scope.pilot_ids())).order_by(Cohort.id)


def usable_cohorts(scope: ExportScope, cohort_ids: list[int]) -> list[int]:
    """The cohorts among ``cohort_ids`` whose cells are exactly what the package's own
    rows would count (see the module's description)."""
    counted = DatedCohort
    marked = sa.exists().where(DatedStale.cohort_id == counted.cohort_id)
    covered = sa.or_(
        counted.first_day.is_(None),
        sa.and_(counted.first_day >= scope.date_from, counted.last_day <= scope.date_to),
    )
    stmt = sa.select(counted.cohort_id).where(
        counted.cohort_id.in_(cohort_ids), counted.other_releases == 0, covered, ~marked
    )
    fresh = set(db.session.scalars(stmt))
    if fresh:
        fresh -= _consent_moved(scope, fresh)
    return sorted(fresh)


def _consent_moved(scope: ExportScope, cohort_ids: set[int]) -> set[int]:
    """Cohorts with a consent record dated between their count and the package's
    ``as_of`` (either way round): whose consent is current differs between the two."""
    recorded = ConsentRecord.recorded_at
    between = sa.or_(
        sa.and_(recorded > DatedCohort.counted_at, recorded <= scope.as_of),
        sa.and_(recorded > scope.as_of, recorded <= DatedCohort.counted_at),
    )
    stmt = (
        sa.select(Enrolment.cohort_id)
        .distinct()
        .join(ConsentRecord, ConsentRecord.enrolment_id == Enrolment.id)
        .join(DatedCohort, DatedCohort.cohort_id == Enrolment.cohort_id)
        .where(Enrolment.cohort_id.in_(cohort_ids), between)
    )
    return set(db.session.scalars(stmt))


def levels_from_cells(cohort_ids: Iterable[int], k: int) -> set[int]:
    """The levels with a cell under k among the stored cells of ``cohort_ids``: one
    query, each level an ``EXISTS`` that stops at the first small cell it finds."""
    ids = list(cohort_ids)
    checks = [
        sa.exists().where(
            DatedPeople.level == level,
            DatedPeople.people < k,
            DatedPeople.cohort_id.in_(ids),
        )
        for level in range(WITHHELD_LEVEL)
    ]
    found = db.session.execute(sa.select(*checks)).one()
    return {level for level, small in enumerate(found) if small}


# --- keeping the cells -------------------------------------------------------------------


def count_stale(limit: int | None = None, commit_each: bool = False) -> int:
    """Recount the cohorts marked stale and those never counted (at most ``limit``),
    ``COHORTS_AT_ONCE`` at a time; returns how many were counted. ``commit_each`` commits
    after each group (the scheduler's job), so a crash loses at most the one in flight."""
    never = sa.select(Cohort.id).where(~sa.exists().where(DatedCohort.cohort_id == Cohort.id))
    wanted = sa.union(sa.select(DatedStale.cohort_id), never).subquery()
    stmt = sa.select(wanted.c[0]).order_by(wanted.c[0])
    if limit is not None:
        stmt = stmt.limit(limit)
    ids = list(db.session.scalars(stmt))
    counted = 0
    for start in range(0, len(ids), COHORTS_AT_ONCE):
        counted += recount_cohorts(ids[start : start + COHORTS_AT_ONCE])
        if commit_each:
            db.session.commit()
    return counted


def recount_cohorts(cohort_ids: list[int]) -> int:
    """Replace these cohorts' cells with a count of their facts now (one query per file
    for all of them: each query reads its file's rows once, however many cohorts). The
    marks are read first and only those are deleted: whatever they stand for is
    committed, so the count (a later statement) sees it; a mark written meanwhile stays
    for the next run. Returns how many it recounted (those no other process was on)."""
    cohort_ids = _claim(cohort_ids)
    marks = list(
        db.session.scalars(sa.select(DatedStale.id).where(DatedStale.cohort_id.in_(cohort_ids)))
    )
    cohorts = list(db.session.scalars(sa.select(Cohort).where(Cohort.id.in_(cohort_ids))))
    db.session.execute(sa.delete(DatedPeople).where(DatedPeople.cohort_id.in_(cohort_ids)))
    db.session.execute(sa.delete(DatedCohort).where(DatedCohort.cohort_id.in_(cohort_ids)))
    if cohorts:
        now = clock.now()
        counted = count_cells(cohorts, now)
        others = _other_releases(cohort_ids)
        rows = [
            {
                "cohort_id": cohort_id,
                "date_column": column,
                "professional_group": group,
                "career_stage": stage,
                "level": level,
                "shown": shown,
                "people": people,
            }
            for cohort_id, cells in counted.items()
            for (column, group, stage, level, shown), people in cells.items()
        ]
        for start in range(0, len(rows), 5_000):
            db.session.execute(sa.insert(DatedPeople), rows[start : start + 5_000])
        for cohort in cohorts:
            cells = counted.get(cohort.id, {})
            days = [key[4] for key in cells if key[3] == 0 and key[0] < RANGE_COLUMNS]
            db.session.add(
                DatedCohort(
                    cohort_id=cohort.id,
                    counted_at=now,
                    first_day=min(days, default=None),
                    last_day=max(days, default=None),
                    other_releases=others.get(cohort.id, 0),
                )
            )
    for start in range(0, len(marks), 1_000):
        batch = marks[start : start + 1_000]
        db.session.execute(sa.delete(DatedStale).where(DatedStale.id.in_(batch)))
    db.session.flush()
    return len(cohort_ids)


# Advisory lock class for recounting a cohort (the second key is the cohort's id).
RECOUNT_LOCK = 0x6461_7465


def _claim(cohort_ids: list[int]) -> list[int]:
    """The cohorts no other transaction is recounting, each now held by this one until it
    ends. Two schedulers may pick the same stale cohorts; without this both would replace
    the same cells and the second insert would fail on the first's. A transaction-level
    advisory lock blocks nothing else (enrolments, edits of the cohort). SQLite allows one
    writer at a time, so there the second simply waits and recounts again."""
    if not cohort_ids or db.session.get_bind().dialect.name != "postgresql":
        return cohort_ids
    claimed = sa.text(
        "SELECT id FROM unnest(CAST(:ids AS integer[])) AS t(id) "
        "WHERE pg_try_advisory_xact_lock(:lock, id) ORDER BY id"
    )
    return list(db.session.scalars(claimed, {"ids": cohort_ids, "lock": RECOUNT_LOCK}))


def count_cells(cohorts: list[Cohort], as_of: Any) -> dict[int, Cells]:
    """A live count of these cohorts' cells: every dated row of their consenting
    participants, whatever its date, with consent judged as at ``as_of``."""
    pilots = sorted({c.pilot_id for c in cohorts})
    scope = ExportScope(
        user_id=0,
        choices=tuple(ScopeChoice(f"pilot:{p}", "", None, p) for p in pilots),
        date_from=COUNT_FROM,
        date_to=COUNT_TO,
        free_text=frozenset(),
        as_of=as_of,
    )
    ids = [c.id for c in cohorts]
    if db.session.get_bind().dialect.name == "postgresql":
        by_slug = _count_cells_sql(scope, ids)
    else:
        by_slug = cells_from_rows(dated_rows(scope, ids))
    return {c.id: with_bands(by_slug[c.slug]) for c in cohorts if c.slug in by_slug}


def cells_from_rows(rows: Iterable[tuple[str, int, str, str, str, str]]) -> dict[str, Cells]:
    """Day and month cells of dated rows (``kanonymity.DatedRow``) per cohort, counted
    in Python."""
    people: dict[str, dict[tuple[int, str, str, int, date], set[int]]] = {}
    for column, user_id, cohort, group, stage, day in rows:
        shown = date.fromisoformat(day)
        number = DATE_COLUMNS.index(column)
        cells = people.setdefault(cohort, {})
        for level, when in ((0, shown), (MONTH_LEVEL, shown.replace(day=1))):
            cells.setdefault((number, group, stage, level, when), set()).add(user_id)
    return {
        cohort: {key: len(who) for key, who in cells.items()} for cohort, cells in people.items()
    }


def with_bands(cells: Cells) -> Cells:
    """The cells and, from their months, the banded months (sums over a band's stages)."""
    banded: Cells = {}
    for (column, group, stage, level, shown), people in cells.items():
        if level == MONTH_LEVEL:
            key = (column, group, STAGE_BANDS.get(stage, stage), BAND_LEVEL, shown)
            banded[key] = banded.get(key, 0) + people
    return {**cells, **banded}


def _count_cells_sql(scope: ExportScope, cohort_ids: list[int]) -> dict[str, Cells]:
    db.session.execute(sa.text("SET LOCAL work_mem = '64MB'"))
    cells: dict[str, Cells] = {}
    offset = 0
    for columns, stmt in dated_sources(scope, cohort_ids):
        by_day, by_month = person_dates(stmt)
        counts = [
            sa.select(
                people.c.cohort,
                (people.c.col + offset).label("col"),
                people.c.grp,
                people.c.stage,
                sa.literal(level).label("level"),
                people.c.shown,
                sa.func.count().label("people"),
            ).group_by(people.c.cohort, people.c.col, people.c.grp, people.c.stage, people.c.shown)
            for level, people in ((0, by_day), (MONTH_LEVEL, by_month))
        ]
        for cohort, column, group, stage, level, shown, people in db.session.execute(
            sa.union_all(*counts)
        ):
            cells.setdefault(cohort, {})[(column, group, stage, level, shown)] = people
        offset += len(columns)
    return cells


def _other_releases(cohort_ids: list[int]) -> dict[int, int]:
    """Progress of these cohorts' participants against another cohort's release."""
    stmt = (
        sa.select(Enrolment.cohort_id, sa.func.count())
        .select_from(Progress)
        .join(Enrolment, Enrolment.id == Progress.enrolment_id)
        .join(Release, Release.id == Progress.release_id)
        .where(Enrolment.cohort_id.in_(cohort_ids), Release.cohort_id != Enrolment.cohort_id)
        .group_by(Enrolment.cohort_id)
    )
    return {cohort_id: count for cohort_id, count in db.session.execute(stmt)}


def stored_cells(cohort_id: int) -> Cells:
    stmt = sa.select(
        DatedPeople.date_column,
        DatedPeople.professional_group,
        DatedPeople.career_stage,
        DatedPeople.level,
        DatedPeople.shown,
        DatedPeople.people,
    ).where(DatedPeople.cohort_id == cohort_id)
    return {tuple(row[:5]): row[5] for row in db.session.execute(stmt)}
