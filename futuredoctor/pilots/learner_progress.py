"""Progress per learner across a pilot's cohorts, for its lead educator.

A page costs four queries whatever its length: a count, the page of enrolments, one
aggregate over their Progress rows and one count of released modules per cohort on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from futuredoctor.enrolment.roster import _aware
from futuredoctor.extensions import db
from futuredoctor.models import Cohort, Enrolment, EnrolmentStatus, Pilot, Progress, Release, User
from futuredoctor.paging import Page, paginate


@dataclass(frozen=True)
class LearnerRow:
    enrolment: Enrolment
    started: int
    completed: int
    released: int  # modules released to the learner's cohort so far
    last_activity: datetime | None


def learners_page(pilot: Pilot, number: int) -> tuple[Page, list[LearnerRow]]:
    """Everyone holding a place in one of the pilot's cohorts, by cohort then name."""
    stmt = (
        sa.select(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Cohort.pilot_id == pilot.id, Enrolment.status == EnrolmentStatus.ENROLLED)
        .options(contains_eager(Enrolment.user), contains_eager(Enrolment.cohort))
        .order_by(
            sa.func.lower(Cohort.name),
            sa.func.lower(User.family_name),
            sa.func.lower(User.given_name),
            Enrolment.id,
        )
    )
    page = paginate(stmt, number)
    enrolments: list[Enrolment] = list(page.items)
    activity = _activity([e.id for e in enrolments])
    released = _released({e.cohort_id for e in enrolments})
    rows = []
    for e in enrolments:
        started, completed, last = activity.get(e.id, (0, 0, None))
        rows.append(LearnerRow(e, started, completed, released.get(e.cohort_id, 0), last))
    return page, rows


def _activity(enrolment_ids: list[int]) -> dict[int, tuple[int, int, datetime | None]]:
    """(started, completed, latest start, completion or reflection) per enrolment."""
    if not enrolment_ids:
        return {}
    stmt = (
        sa.select(
            Progress.enrolment_id,
            sa.func.count(Progress.started_at),
            sa.func.count(Progress.completed_at),
            sa.func.max(Progress.started_at),
            sa.func.max(Progress.completed_at),
            sa.func.max(Progress.reflection_updated_at),
        )
        .where(Progress.enrolment_id.in_(enrolment_ids))
        .group_by(Progress.enrolment_id)
    )
    type_: Any = Progress.started_at.type
    found = {}
    for eid, started, completed, *moments in db.session.execute(stmt):
        times = [t for t in (_aware(type_, m) for m in moments) if t is not None]
        found[eid] = (started, completed, max(times) if times else None)
    return found


def _released(cohort_ids: set[int]) -> dict[int, int]:
    if not cohort_ids:
        return {}
    stmt = (
        sa.select(Release.cohort_id, sa.func.count())
        .where(Release.cohort_id.in_(sorted(cohort_ids)), Release.is_released)
        .group_by(Release.cohort_id)
    )
    return {cid: n for cid, n in db.session.execute(stmt)}
