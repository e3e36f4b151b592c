"""k-anonymity over the quasi-identifiers of a participant-level package.

Cohort, professional group, career stage, enrolment status and the enrolment, withdrawal
and consent dates together can single someone out (the only midwife in a pilot; the one
person who consented on a given day). So can the dates in the other participant-level
files: the one person in a small cohort who completed a module on a given day, or gave
feedback that day. Those files therefore show UK dates, never times of day, and every
date column goes through the same generalisation.

Before a participant-level package is written, the participants are grouped by those
values, and the dated rows of progress.csv, feedback.csv and actions.csv by cohort ×
professional group × career stage × the date as shown (each date column on its own,
counting distinct participants). While any group is smaller than k (default 5,
``FUTUREDOCTOR_EXPORT_K_ANONYMITY``), the next generalisation is applied, the same for
everyone and every file in the package. The date groups are read from a summary kept by
the scheduler (``dated_summary``), counted live for any cohort it cannot answer for. If
groups smaller than k remain after the last one, those participants are left out of every
file of the package (they are counted in the report). The README and the export record
say what was done.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app

from futuredoctor.evaluation.fields import PROFESSIONAL_GROUPS, UNKNOWN
from futuredoctor.evaluation.kanonymity_terms import OTHER_PROFESSIONS, STAGE_BANDS
from futuredoctor.evaluation.scope import ExportScope
from futuredoctor.extensions import db
from futuredoctor.models import CAREER_STAGES, Cohort, Enrolment, User
from futuredoctor.timezones import local_zone

DEFAULT_K = 5
STEPS = (
    "dates rounded down to the first of the month (enrolment, withdrawal and consent dates; "
    "progress, feedback and action dates)",
    "career stages banded: foundation (FY1, FY2), core (CT1-CT3), specialty (ST1-ST3)",
    "dates withheld (enrolment, withdrawal and consent dates; progress, feedback and action dates)",
    "professional groups other than doctor combined as other_professions",
)
MONTH_LEVEL = 1  # from this level on, dates show the first of their month
WITHHELD_LEVEL = 3  # from this level on, dates are left empty
# A dated row: (file and column, account id, cohort, group, stage, UK date as ISO text).
DatedRow = tuple[str, int, str, str, str, str]


@dataclass
class Plan:
    """What a package does to reach k: how many steps, and who is left out."""

    k: int
    level: int = 0
    withheld: set[tuple[int, str]] = field(default_factory=set)  # (account id, cohort)

    def report(self) -> list[str]:
        done = list(STEPS[: self.level])
        if self.withheld:
            done.append(
                f"{len(self.withheld)} participants in groups smaller than {self.k} left out"
            )
        return done

    def keeps(self, user_id: int | None, cohort: str | None) -> bool:
        return user_id is None or (user_id, cohort or "") not in self.withheld

    def generalise(self, group: str, stage: str, dates: Iterable[str | None]) -> tuple[Any, ...]:
        """The group, stage and dates (UK, ISO text) as this package shows them."""
        if self.level >= 2:
            stage = STAGE_BANDS.get(stage, stage)
        if self.level >= 4 and group not in ("doctor", UNKNOWN):
            group = OTHER_PROFESSIONS
        return (group, stage, *(self.date(d) for d in dates))

    def date(self, value: str | None) -> str | None:
        """A UK date (ISO text) as this package shows it, in every file."""
        if value is None or self.level >= WITHHELD_LEVEL:
            return None
        return value[:8] + "01" if self.level >= MONTH_LEVEL else value


def k_value() -> int:
    return int(current_app.config.get("EXPORT_K_ANONYMITY") or DEFAULT_K)


def make_plan(
    scope: ExportScope,
    rows: list[tuple[Any, ...]] | None = None,
    k: int | None = None,
    dated: Iterable[DatedRow] | None = None,
) -> Plan:
    """The least generalisation that gives every group at least k people.

    ``rows`` are (account id, cohort, group, stage, status, enrolled, withdrawn, consented)
    for the package's participants, and ``dated`` the dated rows of the other files; both
    are read from the database when ``rows`` is not given.
    """
    plan = Plan(k or k_value())
    if rows is None:
        small_dates = _small_date_levels(scope, plan.k)
        if db.session.get_bind().dialect.name == "postgresql":
            from futuredoctor.evaluation.participant_groups import has_small_group

            for level in range(len(STEPS) + 1):
                if level not in small_dates and not has_small_group(scope, plan.k, level):
                    plan.level = level
                    return plan
            # Someone is in a small group whatever is done: who, counted below.
        rows = _participant_rows(scope)
    else:
        small_dates = small_date_levels(dated or (), plan.k)
    for level in range(len(STEPS) + 1):
        plan.level = level
        if level in small_dates:
            continue
        sizes = Counter(_key(plan, row) for row in rows)
        small = [row for row in rows if sizes[_key(plan, row)] < plan.k]
        if not small:
            return plan
    plan.withheld = {(row[0], row[1]) for row in small}
    return plan


def small_date_levels(dated: Iterable[DatedRow], k: int) -> set[int]:
    """The levels below WITHHELD_LEVEL at which some cohort × group × stage × shown date
    of some date column holds fewer than k distinct participants."""
    people: dict[tuple[Any, ...], set[int]] = {}
    for column, user_id, cohort, group, stage, day in dated:
        for level in range(WITHHELD_LEVEL):
            shown_stage = STAGE_BANDS.get(stage, stage) if level >= 2 else stage
            shown_day = day[:8] + "01" if level >= MONTH_LEVEL else day
            key = (level, column, cohort, group, shown_stage, shown_day)
            people.setdefault(key, set()).add(user_id)
    return {key[0] for key, who in people.items() if len(who) < k}


def _small_date_levels(scope: ExportScope, k: int) -> set[int]:
    """From the maintained summary where it answers exactly, counted live elsewhere."""
    from futuredoctor.evaluation.dated_summary import small_date_levels_for

    return small_date_levels_for(scope, k)


def _key(plan: Plan, row: tuple[Any, ...]) -> tuple[Any, ...]:
    return (row[1], row[4], *plan.generalise(row[2], row[3], row[5:8]))


def _participant_rows(scope: ExportScope) -> list[tuple[Any, ...]]:
    """Read without the ORM's row handling, and with the zone looked up once: for a
    national package (60,000 participants, three dates each) that halves the time."""
    from futuredoctor.evaluation.tables import current_consent

    consent = current_consent(scope)
    stmt = (
        sa.select(
            Enrolment.user_id,
            Cohort.slug,
            User.professional_group,
            User.career_stage,
            Enrolment.status,
            Enrolment.enrolled_at,
            Enrolment.withdrawn_at,
            consent.c.recorded_at,
        )
        .join(consent, consent.c.enrolment_id == Enrolment.id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(User, User.id == Enrolment.user_id)
        .where(Cohort.pilot_id.in_(scope.pilot_ids()))
    )
    zone = local_zone()

    def day(value: datetime | None) -> str | None:
        return value.astimezone(zone).date().isoformat() if value is not None else None

    groups, stages = set(PROFESSIONAL_GROUPS), set(CAREER_STAGES)
    return [
        (
            r[0],
            r[1],
            r[2] if r[2] in groups else UNKNOWN,
            r[3] if r[3] in stages else UNKNOWN,
            r[4].value,
            day(r[5]),
            day(r[6]),
            day(r[7]),
        )
        for r in db.session.connection().execute(stmt)
    ]
