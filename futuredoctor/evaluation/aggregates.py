"""``aggregates.csv``: suppressed counts per calendar quarter, pilot and measure.

Counts are over fixed reporting periods (calendar quarters, UK time, that have ended), never
over the requested dates themselves: moving ``date_to`` a day at a time only ever adds or
drops whole quarters, so no sweep reveals a count at a threshold crossing, and quarters do
not overlap, so no two cells differ by one small group. Each quarter × pilot × measure is
broken down by professional group and by career stage, both adding up to the published
total, and suppressed by ``suppression.protect`` (primary and secondary). Everyone counts
here, consenting or not (measures say which), so response and consent bias can be
estimated. One GROUP BY query per measure and quarter, whatever the number of rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from futuredoctor import clock
from futuredoctor.evaluation.schema import (
    ALL,
    CAREER_STAGES,
    MEASURES,
    NOT_APPLICABLE,
    PROFESSIONAL_GROUPS,
    UNKNOWN,
)
from futuredoctor.evaluation.scope import ExportScope
from futuredoctor.evaluation.suppression import Cell, protect
from futuredoctor.evaluation.tables import current_consent
from futuredoctor.extensions import db
from futuredoctor.models import (
    CodesignSession,
    Cohort,
    Enrolment,
    FeedbackItem,
    Pilot,
    Progress,
    Region,
    User,
)
from futuredoctor.timezones import local_zone

GROUPS = [*PROFESSIONAL_GROUPS, UNKNOWN, NOT_APPLICABLE]
STAGES = [*CAREER_STAGES, UNKNOWN, NOT_APPLICABLE]
Key = tuple[int, str, str]  # pilot id, professional group, career stage


@dataclass(frozen=True)
class Period:
    label: str  # 2026-Q3
    first: date
    last: date

    @property
    def start(self) -> datetime:
        return _utc_midnight(self.first)

    @property
    def end(self) -> datetime:
        return _utc_midnight(self.last + timedelta(days=1))


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=local_zone()).astimezone(UTC)


def quarter_of(day: date) -> Period:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    after = date(first.year + (first.month == 10), (first.month + 2) % 12 + 1, 1)
    return Period(f"{day.year}-Q{(day.month - 1) // 3 + 1}", first, after - timedelta(days=1))


def periods(scope: ExportScope) -> list[Period]:
    """The calendar quarters that overlap the requested dates and have ended."""
    today = clock.today_uk()
    found = []
    period = quarter_of(scope.date_from)
    while period.first <= scope.date_to and period.last < today:
        found.append(period)
        period = quarter_of(period.last + timedelta(days=1))
    return found


def _enrolled(scope: ExportScope, period: Period, consenting: bool) -> sa.Select[Any]:
    stmt = (
        sa.select(Cohort.pilot_id, User.professional_group, User.career_stage, sa.func.count())
        .select_from(Enrolment)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(User, User.id == Enrolment.user_id)
        .where(
            Cohort.pilot_id.in_(scope.pilot_ids()),
            Enrolment.enrolled_at >= period.start,
            Enrolment.enrolled_at < period.end,
        )
    )
    if consenting:
        consent = current_consent(scope)
        stmt = stmt.join(consent, consent.c.enrolment_id == Enrolment.id)
    return stmt


def _completions(scope: ExportScope, period: Period) -> sa.Select[Any]:
    consent = current_consent(scope)
    return (
        sa.select(Cohort.pilot_id, User.professional_group, User.career_stage, sa.func.count())
        .select_from(Progress)
        .join(Enrolment, Enrolment.id == Progress.enrolment_id)
        .join(consent, consent.c.enrolment_id == Enrolment.id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(User, User.id == Enrolment.user_id)
        .where(
            Cohort.pilot_id.in_(scope.pilot_ids()),
            Progress.completed_at >= period.start,
            Progress.completed_at < period.end,
        )
    )


def _feedback(scope: ExportScope, period: Period, consenting: bool) -> sa.Select[Any]:
    pilot = sa.func.coalesce(Cohort.pilot_id, CodesignSession.pilot_id, FeedbackItem.pilot_id)
    stmt = (
        sa.select(pilot, User.professional_group, User.career_stage, sa.func.count())
        .select_from(FeedbackItem)
        .outerjoin(Enrolment, Enrolment.id == FeedbackItem.enrolment_id)
        .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
        .outerjoin(User, User.id == Enrolment.user_id)
        .outerjoin(CodesignSession, CodesignSession.id == FeedbackItem.codesign_session_id)
        .where(
            pilot.in_(scope.pilot_ids()),
            FeedbackItem.created_at >= period.start,
            FeedbackItem.created_at < period.end,
        )
    )
    if consenting:
        consent = current_consent(scope)
        stmt = stmt.outerjoin(consent, consent.c.enrolment_id == FeedbackItem.enrolment_id).where(
            sa.or_(FeedbackItem.enrolment_id.is_(None), consent.c.enrolment_id.is_not(None))
        )
    return stmt


def _query(measure: str, scope: ExportScope, period: Period) -> sa.Select[Any]:
    if measure == "enrolled_all":
        return _enrolled(scope, period, consenting=False)
    if measure == "enrolled_consenting":
        return _enrolled(scope, period, consenting=True)
    if measure == "completions_consenting":
        return _completions(scope, period)
    return _feedback(scope, period, consenting=measure == "feedback_consenting")


def _counts(measure: str, scope: ExportScope, period: Period) -> Counter[Key]:
    stmt = _query(measure, scope, period)
    columns = list(stmt.selected_columns)[:3]
    counts: Counter[Key] = Counter()
    for pilot_id, group, stage, count in db.session.execute(stmt.group_by(*columns)):
        if group is None and stage is None and measure.startswith("feedback"):
            key = (pilot_id, NOT_APPLICABLE, NOT_APPLICABLE)  # not from a participant
        else:
            key = (
                pilot_id,
                group if group in PROFESSIONAL_GROUPS else UNKNOWN,
                stage if stage in CAREER_STAGES else UNKNOWN,
            )
        counts[key] += count
    return counts


def aggregates(scope: ExportScope, secret: bytes) -> Iterator[tuple[Any, ...]]:
    pilots = db.session.execute(
        sa.select(Pilot.id, Pilot.slug, Region.code)
        .join(Region, Region.id == Pilot.region_id)
        .where(Pilot.id.in_(scope.pilot_ids()))
        .order_by(Region.code, Pilot.slug)
    ).all()
    for period in periods(scope):
        for measure in MEASURES:
            counts = _counts(measure, scope, period)
            for pilot_id, slug, region in pilots:
                groups = {g: Cell(0) for g in GROUPS}
                stages = {s: Cell(0) for s in STAGES}
                for (pilot, group, stage), count in counts.items():
                    if pilot == pilot_id:
                        groups[group].count += count
                        stages[stage].count += count
                total = Cell(sum(c.count for c in groups.values()))
                protect(total, [list(groups.values()), list(stages.values())])
                head = (period.label, period.first.isoformat(), period.last.isoformat())
                rows = [(ALL, ALL, total)]
                rows += [(g, ALL, cell) for g, cell in groups.items()]
                rows += [(ALL, s, cell) for s, cell in stages.items()]
                for group, stage, cell in rows:
                    yield (*head, region, slug, measure, group, stage, cell.published, cell.hidden)
