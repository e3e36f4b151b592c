"""The participants' own quasi-identifier groups of the k-anonymity plan, counted by
PostgreSQL: for a generalisation level, whether some cohort × enrolment status ×
professional group × career stage × enrolment, withdrawal and consent dates (as that level
shows them) holds fewer than k participants. The same groups ``kanonymity.make_plan``
counts in Python, without 60,000 rows passing through it; tests compare the two."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from futuredoctor.evaluation.fields import PROFESSIONAL_GROUPS, UNKNOWN
from futuredoctor.evaluation.kanonymity import MONTH_LEVEL, WITHHELD_LEVEL
from futuredoctor.evaluation.kanonymity_terms import OTHER_PROFESSIONS, STAGE_BANDS
from futuredoctor.evaluation.scope import ExportScope
from futuredoctor.extensions import db
from futuredoctor.models import CAREER_STAGES, Cohort, Enrolment, User
from futuredoctor.timezones import local_zone

BAND_LEVEL = 2
GROUPS_LEVEL = 4


def recorded_group(column: Any) -> Any:
    """SQL twin of ``tables._group``: the account's professional group, or unknown."""
    return sa.case((column.in_(PROFESSIONAL_GROUPS), column), else_=UNKNOWN)


def recorded_stage(column: Any) -> Any:
    """SQL twin of ``tables._stage``: the account's career stage, or unknown."""
    return sa.case((column.in_(CAREER_STAGES), column), else_=UNKNOWN)


def shown_group(group: Any, level: int) -> Any:
    """SQL twin of ``Plan.generalise`` for a recorded group at ``level``."""
    if level < GROUPS_LEVEL:
        return group
    return sa.case((group.in_(["doctor", UNKNOWN]), group), else_=OTHER_PROFESSIONS)


def shown_stage(stage: Any, level: int) -> Any:
    """SQL twin of ``Plan.generalise`` for a recorded career stage at ``level``."""
    if level < BAND_LEVEL:
        return stage
    return sa.case(*((stage == name, band) for name, band in STAGE_BANDS.items()), else_=stage)


def has_small_group(scope: ExportScope, k: int, level: int) -> bool:
    """Whether some participant group is under k at ``level`` (0 to the last step): one
    query, asked level by level, so a package that needs no generalisation asks once."""
    from futuredoctor.evaluation.tables import current_consent

    consent = current_consent(scope)
    zone = local_zone().key
    group = recorded_group(User.professional_group)
    stage = recorded_stage(User.career_stage)

    def day(column: Any) -> Any:
        return sa.cast(sa.func.timezone(zone, column), sa.Date)

    people = (
        sa.select(
            Cohort.slug.label("cohort"),
            Enrolment.status.label("status"),
            group.label("grp"),
            stage.label("stage"),
            day(Enrolment.enrolled_at).label("enrolled"),
            day(Enrolment.withdrawn_at).label("withdrawn"),
            day(consent.c.recorded_at).label("consented"),
        )
        .join(consent, consent.c.enrolment_id == Enrolment.id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(User, User.id == Enrolment.user_id)
        .where(Cohort.pilot_id.in_(scope.pilot_ids()))
        # Materialised, everyone is read by hash joins: inlined, PostgreSQL chose to walk
        # the cohorts in slug order (the grouping's order) and probe each enrolment's
        # consent and account by index, two to three times slower at national size.
        .cte("people")
        .prefix_with("MATERIALIZED")
    )
    keys = [
        people.c.cohort,
        people.c.status,
        shown_group(people.c.grp, level),
        shown_stage(people.c.stage, level),
    ]
    if level < WITHHELD_LEVEL:
        dates: list[Any] = [people.c.enrolled, people.c.withdrawn, people.c.consented]
        if level >= MONTH_LEVEL:
            dates = [sa.cast(sa.func.date_trunc("month", d), sa.Date) for d in dates]
        keys += dates
    small = sa.select(sa.literal(1)).select_from(people).group_by(*keys).having(sa.func.count() < k)
    return bool(db.session.scalar(sa.select(sa.exists(small))))
