"""Which cohorts the demo fills, chosen on the day ``flask demo`` runs.

The shipped cohorts in ``regions/*.toml`` are real content with real dates, so on most days
some of them have ended or not yet opened. The demo takes a shipped cohort when one fits
today, and otherwise adds a demo cohort to the pilot dated around today. Either way its
story holds: people enrolled in the window, before the modules they took were released.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import sqlalchemy as sa

from futuredoctor import clock
from futuredoctor.extensions import db
from futuredoctor.models import CAREER_STAGES, Cohort, Enrolment, Pilot, ProfessionalGroup, User

# The demo releases modules from 40 days ago to 21 days ahead: a running cohort must
# have started before the first and run past the last.
STARTED_AT_LEAST = 45
RUNS_AT_LEAST = 30

# Offsets in days from today for a demo cohort made when no shipped cohort fits.
RUNNING = {"enrolment_opens": -110, "enrolment_closes": -60, "starts_on": -50, "ends_on": 130}
ENROLLING = {"enrolment_opens": -14, "enrolment_closes": 42, "starts_on": 56, "ends_on": 238}


def running_cohort(pilot: Pilot, anchor: User | None) -> Cohort:
    """Where the demo's participants take modules: the cohort an earlier run enrolled
    ``anchor`` in while it is still running, else a shipped cohort whose dates hold the
    demo's releases, else a demo cohort."""
    today = clock.today_uk()

    def fits(cohort: Cohort) -> bool:
        return cohort.starts_on <= today - timedelta(
            days=STARTED_AT_LEAST
        ) and cohort.ends_on >= today + timedelta(days=RUNS_AT_LEAST)

    def still_running(cohort: Cohort) -> bool:
        return cohort.starts_on <= today <= cohort.ends_on

    return _choose(pilot, anchor, still_running, fits, "running", RUNNING)


def enrolling_cohort(pilot: Pilot, anchor: User | None) -> Cohort:
    """Where the demo's invitation, waitlist and request to join go: a cohort whose
    enrolment window is open today."""
    today = clock.today_uk()

    def is_open(cohort: Cohort) -> bool:
        return cohort.enrolment_opens <= today <= cohort.enrolment_closes

    return _choose(pilot, anchor, is_open, is_open, "enrolling", ENROLLING)


def _choose(
    pilot: Pilot,
    anchor: User | None,
    keep: Callable[[Cohort], bool],
    fits: Callable[[Cohort], bool],
    kind: str,
    offsets: dict[str, int],
) -> Cohort:
    cohorts = sorted(pilot.cohorts, key=lambda c: (c.starts_on, c.slug))
    if anchor is not None:
        enrolled = set(
            db.session.scalars(sa.select(Enrolment.cohort_id).where(Enrolment.user_id == anchor.id))
        )
        earlier = [c for c in cohorts if c.id in enrolled and keep(c)]
        if earlier:
            return earlier[-1]
    shipped = [c for c in cohorts if fits(c)]
    if shipped:
        return shipped[-1]
    return _demo_cohort(pilot, kind, offsets)


def _demo_cohort(pilot: Pilot, kind: str, offsets: dict[str, int]) -> Cohort:
    """The pilot's demo cohort of this kind made today (found again on a second run)."""
    today = clock.today_uk()
    slug = f"{pilot.slug}-demo-{kind}-{today:%Y%m%d}"
    cohort = db.session.scalar(sa.select(Cohort).where(Cohort.slug == slug))
    if cohort is not None:
        return cohort
    dates: dict[str, date] = {name: today + timedelta(days=n) for name, n in offsets.items()}
    model = pilot.cohorts[0] if pilot.cohorts else None  # eligibility as the pilot's own
    groups = model.eligible_professional_groups if model else [g.value for g in ProfessionalGroup]
    cohort = Cohort(
        pilot=pilot,
        slug=slug,
        name=f"Demo cohort starting {_long(dates['starts_on'])}",
        capacity=model.capacity if model else 100,
        eligible_professional_groups=list(groups),
        eligible_career_stages=list(model.eligible_career_stages if model else CAREER_STAGES),
        **dates,
    )
    db.session.add(cohort)
    db.session.flush()
    return cohort


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
