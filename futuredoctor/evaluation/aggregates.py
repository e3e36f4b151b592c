"""``aggregates.csv``: suppressed counts by region × professional group × career stage.

Three GROUP BY queries whatever the number of participants; the result has at most
regions × groups × stages rows, so it is assembled in memory. Every combination is listed,
zeros included, so the absence of a row reveals nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from futuredoctor.evaluation.schema import CAREER_STAGES, PROFESSIONAL_GROUPS, UNKNOWN
from futuredoctor.evaluation.scope import ExportScope
from futuredoctor.evaluation.suppression import suppress
from futuredoctor.evaluation.tables import current_consent, feedback_select, in_range
from futuredoctor.extensions import db
from futuredoctor.models import Cohort, Enrolment, FeedbackItem, Pilot, Progress, Region, User

Key = tuple[str, str, str]


def _counts(scope: ExportScope, measure: Any, *where: Any, feedback: bool = False) -> Counter[Key]:
    consent = current_consent(scope)
    group_by = (Region.code, User.professional_group, User.career_stage)
    if feedback:
        stmt = feedback_select(scope, *group_by, measure).where(
            FeedbackItem.enrolment_id.is_not(None)
        )
    else:
        stmt = (
            sa.select(*group_by, measure)
            .select_from(Enrolment)
            .join(consent, consent.c.enrolment_id == Enrolment.id)
            .join(Cohort, Cohort.id == Enrolment.cohort_id)
            .where(Cohort.pilot_id.in_(scope.pilot_ids()), *where)
        )
        if where:
            stmt = stmt.join(Progress, Progress.enrolment_id == Enrolment.id)
    stmt = (
        stmt.join(Pilot, Pilot.id == Cohort.pilot_id)
        .join(Region, Region.id == Pilot.region_id)
        .join(User, User.id == Enrolment.user_id)
        .group_by(*group_by)
    )
    counts: Counter[Key] = Counter()
    for code, group, stage, count in db.session.execute(stmt):
        key = (
            code,
            group if group in PROFESSIONAL_GROUPS else UNKNOWN,
            stage if stage in CAREER_STAGES else UNKNOWN,
        )
        counts[key] += count
    return counts


def aggregates(scope: ExportScope, secret: bytes) -> Iterator[tuple[Any, ...]]:
    people = _counts(scope, sa.func.count(sa.distinct(Enrolment.user_id)))
    completions = _counts(
        scope,
        sa.func.count(Progress.id),
        Progress.completed_at.is_not(None),
        in_range(Progress.completed_at, scope),
    )
    feedback = _counts(scope, sa.func.count(FeedbackItem.id), feedback=True)
    seen = people.keys() | completions.keys() | feedback.keys()
    groups = [*PROFESSIONAL_GROUPS] + ([UNKNOWN] if any(k[1] == UNKNOWN for k in seen) else [])
    stages = [*CAREER_STAGES] + ([UNKNOWN] if any(k[2] == UNKNOWN for k in seen) else [])
    regions = db.session.scalars(
        sa.select(Region.code).where(Region.id.in_(scope.region_ids())).order_by(Region.code)
    )
    for code in regions:
        for group in groups:
            for stage in stages:
                key = (code, group, stage)
                yield (
                    code,
                    group,
                    stage,
                    suppress(people[key]),
                    suppress(completions[key]),
                    suppress(feedback[key]),
                )
