"""The staff home pages' counts, kept as stored summaries the scheduler refreshes.

Counted live, a home page's cost grew with the country: an evaluator's count of consenting
participants read every consent record in their scope (28 ms of PostgreSQL at national
size), a lead educator's mentoring counts every enrolment of their pilot (6 ms), the
national admin's totals every account (3 ms). Each is stored for its scope (the pilots it
covers, or "all"), read in one statement and shown with when it was counted. The scope is
the key, so two people with the same scope read the same figures, and nobody reads a
figure for a scope that is not theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from futuredoctor.educators.overview import pilot_mentoring
from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    ConsentRecord,
    Enrolment,
    EnrolmentStatus,
    Module,
    ModuleVersion,
    Pilot,
    Region,
    User,
)
from futuredoctor.summaries import store

ALL = "all"
MENTORING = "pilot_mentoring"
CONSENTING = "consenting_people"
TOTALS = "platform_totals"
_KEY_LENGTH = 80  # SummarySnapshot.key


def scope_key(pilot_ids: list[int] | None) -> str:
    """The stored key for a scope of pilots (None: every pilot)."""
    return ALL if pilot_ids is None else ",".join(str(i) for i in sorted(set(pilot_ids)))


def _pilot_ids(key: str) -> list[int] | None:
    return None if key == ALL else [int(part) for part in key.split(",") if part]


def _read(kind: str, key: str, compute: Callable[[str], Any]) -> tuple[Any, datetime | None]:
    """The stored figures for ``key``, or counted now where a key is too long to store
    (a scope of very many named pilots): no "as of" then, since they are live."""
    if len(key) > _KEY_LENGTH:
        return compute(key), None
    snapshot = store.read(kind, key, lambda: compute(key))
    return snapshot.payload, snapshot.as_of


@store.refresher(MENTORING)
def mentoring_figures(key: str) -> dict[str, int]:
    """Pairings by status whose mentee is enrolled in, or mentor on the staff of, the
    key's pilots (``pilot_mentoring``)."""
    return pilot_mentoring(_pilot_ids(key) or [])


def mentoring(pilot_ids: list[int]) -> tuple[dict[str, int], datetime | None]:
    return _read(MENTORING, scope_key(pilot_ids), mentoring_figures)


def consenting_people(pilot_ids: list[int] | None) -> int:
    """People enrolled in the pilots (None: anywhere) whose latest consent decision for
    that enrolment is to allow research use, each counted once."""
    latest = (
        sa.select(ConsentRecord.enrolment_id, sa.func.max(ConsentRecord.id).label("id"))
        .group_by(ConsentRecord.enrolment_id)
        .subquery()
    )
    stmt = (
        sa.select(sa.func.count(sa.distinct(Enrolment.user_id)))
        .select_from(Enrolment)
        .join(latest, latest.c.enrolment_id == Enrolment.id)
        .join(ConsentRecord, ConsentRecord.id == latest.c.id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(ConsentRecord.given.is_(True), Enrolment.status == EnrolmentStatus.ENROLLED)
    )
    if pilot_ids is not None:
        stmt = stmt.where(Cohort.pilot_id.in_(pilot_ids))
    return db.session.scalar(stmt) or 0


@store.refresher(CONSENTING)
def consenting_figures(key: str) -> int:
    return consenting_people(_pilot_ids(key))


def consenting(pilot_ids: list[int] | None) -> tuple[int, datetime | None]:
    return _read(CONSENTING, scope_key(pilot_ids), consenting_figures)


_TOTALS = {
    "Users": User,
    "Regions": Region,
    "Pilots": Pilot,
    "Modules": Module,
    "Module versions": ModuleVersion,
}
TOTAL_LABELS = tuple(_TOTALS)


def platform_counts() -> dict[str, int]:
    """Accounts, regions, pilots, modules and module versions, in one statement."""
    models = _TOTALS
    counts = [
        sa.select(sa.func.count()).select_from(model).scalar_subquery()
        for model in models.values()
    ]
    row = db.session.execute(sa.select(*counts)).one()
    return dict(zip(models, row, strict=True))


@store.refresher(TOTALS)
def totals_figures(key: str = ALL) -> dict[str, int]:
    return platform_counts()


def totals() -> tuple[dict[str, int], datetime | None]:
    return _read(TOTALS, ALL, totals_figures)
