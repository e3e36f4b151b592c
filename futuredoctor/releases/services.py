"""Scheduling, moving and withdrawing releases. Services check the rules and ``flush()``;
the request door commits once. Every refusal names the form field it belongs to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from futuredoctor import audit, clock
from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    Module,
    ModuleVersion,
    Pilot,
    Region,
    Release,
    ReleaseStatus,
    User,
    utcnow,
)
from futuredoctor.models.module import with_version_and_module
from futuredoctor.permissions import Permission, scope_pilots
from futuredoctor.refusals import Refusal
from futuredoctor.timezones import format_local, to_local


@dataclass(frozen=True)
class Scheduled:
    """The outcome of one scheduling request: new releases and reinstated withdrawn ones."""

    releases: list[Release]


def _schedulable(stmt: sa.Select[Any], user: User, include_ended: bool) -> sa.Select[Any]:
    """``stmt`` over cohorts, joined to their pilot and region, limited to those the user
    may schedule for (current ones unless ``include_ended``), ordered by region, pilot and
    start date."""
    stmt = (
        stmt.join(Pilot, Pilot.id == Cohort.pilot_id)
        .join(Region, Region.id == Pilot.region_id)
        .order_by(Region.name, Pilot.name, Cohort.starts_on, Cohort.name)
    )
    if not include_ended:
        stmt = stmt.where(Cohort.ends_on >= clock.today_uk())
    return scope_pilots(stmt, user, Permission.SCHEDULE_RELEASES, Pilot.id)


def cohorts_in_scope(user: User, include_ended: bool = False) -> list[Cohort]:
    """Cohorts the user may schedule for (region for regional leads, own pilot for lead
    educators), with their pilot and region."""
    loaded = sa.select(Cohort).options(joinedload(Cohort.pilot).joinedload(Pilot.region))
    return list(db.session.scalars(_schedulable(loaded, user, include_ended)))


def cohort_choices(user: User) -> list[sa.Row[Any]]:
    """The current cohorts the user may schedule for, as the scheduling form lists them:
    slug, name, run dates, pilot name, region code and name. Plain rows, not cohorts with
    their pilot and region as objects: a national admin's list holds every current cohort
    in the country."""
    columns = sa.select(
        Cohort.slug,
        Cohort.name,
        Cohort.starts_on,
        Cohort.ends_on,
        Pilot.name.label("pilot_name"),
        Region.code.label("region_code"),
        Region.name.label("region_name"),
    ).select_from(Cohort)
    chosen = _schedulable(columns, user, include_ended=False)
    return list(db.session.connection().execute(chosen).all())


def cohorts_taking(user: User, module: Module) -> list[Cohort]:
    """Current cohorts in the user's scope that already have a version of ``module``: the
    cohorts a newly published version is most likely meant for."""
    taking = (
        sa.select(Release.cohort_id)
        .join(ModuleVersion, ModuleVersion.id == Release.module_version_id)
        .where(ModuleVersion.module_id == module.id, Release.status == ReleaseStatus.SCHEDULED)
    )
    ids = set(db.session.scalars(taking))
    return [c for c in cohorts_in_scope(user) if c.id in ids]


def find_version(raw: str | None) -> ModuleVersion:
    if not raw:
        raise Refusal("version", "Choose the module version to release")
    version = db.session.get(ModuleVersion, int(raw)) if raw.isdigit() and len(raw) < 10 else None
    if version is None:
        raise Refusal(
            "version",
            "That module version does not exist. Choose one from the list",
        )
    return version


def find_cohorts(user: User, slugs: Sequence[str]) -> list[Cohort]:
    """The chosen cohorts, each within the user's scope; a cohort of another region (or
    one that does not exist) is refused without saying which it was."""
    if not slugs:
        raise Refusal("cohorts", "Choose at least one cohort")
    allowed = {c.slug: c for c in cohorts_in_scope(user)}
    unknown = [s for s in slugs if s not in allowed]
    if unknown:
        raise Refusal(
            "cohorts",
            "Choose cohorts from the list: you can only schedule releases for current "
            "cohorts of the pilots you are responsible for",
        )
    return [allowed[s] for s in dict.fromkeys(slugs)]


def _check_within_cohort(cohort: Cohort, release_at: datetime) -> None:
    if to_local(release_at).date() > cohort.ends_on:
        raise Refusal(
            "release_day",
            f"The {cohort.name} ({cohort.pilot.name}) ends on {_long(cohort.ends_on)}. "
            "Choose a release date on or before that day",
        )


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def schedule(
    user: User, version: ModuleVersion, cohorts: list[Cohort], release_at: datetime
) -> Scheduled:
    """Release ``version`` to each cohort at ``release_at``. Refused as a whole if the
    version is already scheduled (or out) for any of them: nothing is half-done."""
    for cohort in cohorts:
        _check_within_cohort(cohort, release_at)
    existing = {
        r.cohort_id: r
        for r in db.session.scalars(
            sa.select(Release).where(
                Release.module_version_id == version.id,
                Release.cohort_id.in_([c.id for c in cohorts]),
            )
        )
    }
    clashes = [
        (c, existing[c.id])
        for c in cohorts
        if c.id in existing and existing[c.id].status is ReleaseStatus.SCHEDULED
    ]
    if clashes:
        cohort, release = clashes[0]
        state = "was released" if release.is_released else "is already scheduled"
        raise Refusal(
            "cohorts",
            f"{version.label} {state} for the {cohort.name} ({cohort.pilot.name}) "
            f"at {format_local(release.release_at)}. A module version can be released to "
            "a cohort only once: change that release instead",
        )
    releases = []
    for cohort in cohorts:
        found = existing.get(cohort.id)
        if found is None:
            release = Release(module_version=version, cohort=cohort, created_by_id=user.id)
            db.session.add(release)
        else:  # a withdrawn release of the same version is put back on the schedule
            release = found
            release.status = ReleaseStatus.SCHEDULED
            release.withdrawn_at = None
            release.notifications_queued_at = None
        release.release_at = release_at
        releases.append(release)
    db.session.flush()
    for release in releases:
        audit.record(
            "release.scheduled",
            actor=user,
            target=release,
            module_version_id=version.id,
            cohort=release.cohort.slug,
            release_at=release_at.isoformat(),
        )
    return Scheduled(releases)


def check_changeable(release: Release, now: datetime | None = None) -> None:
    """Only a scheduled release that has not happened yet can be moved or withdrawn."""
    now = now or utcnow()
    if release.status is ReleaseStatus.WITHDRAWN:
        raise Refusal(
            "release_day",
            f"This release was withdrawn on {format_local(release.withdrawn_at)} and can no "
            "longer be changed. Schedule the module version again instead",
        )
    if release.release_at <= now:
        raise Refusal(
            "release_day",
            f"This release happened at {format_local(release.release_at)}: participants "
            "can already see it, so it can no longer be changed or withdrawn",
        )


def reschedule(user: User, release: Release, release_at: datetime) -> bool:
    """Move a future release; False if the time is unchanged (a repeated submit)."""
    check_changeable(release)
    _check_within_cohort(release.cohort, release_at)
    if release.release_at == release_at:
        return False
    previous = release.release_at
    release.release_at = release_at
    db.session.flush()
    audit.record(
        "release.rescheduled",
        actor=user,
        target=release,
        previous=previous.isoformat(),
        release_at=release_at.isoformat(),
    )
    return True


def withdraw(user: User, release: Release) -> bool:
    """Withdraw a future release; False if it was withdrawn already (a repeated submit)."""
    if release.status is ReleaseStatus.WITHDRAWN:
        return False
    check_changeable(release)
    release.status = ReleaseStatus.WITHDRAWN
    release.withdrawn_at = utcnow()
    db.session.flush()
    audit.record("release.withdrawn", actor=user, target=release)
    return True


# A release as its pages name it: with its cohort and pilot, and its version and module
# (not the version's GPC mapping: the pages take domains from the kept content choices).
# Built once with the id bound.
_RELEASE = (
    sa.select(Release)
    .where(Release.id == sa.bindparam("release_id"))
    .options(
        joinedload(Release.cohort).joinedload(Cohort.pilot),
        *with_version_and_module(Release.module_version),
    )
)


def load_release(release_id: int) -> Release | None:
    return db.session.scalar(_RELEASE, {"release_id": release_id})
