"""The module catalogue and what each participant can take: read-only queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Framework,
    FrameworkDomain,
    Module,
    ModuleVersion,
    Progress,
    Release,
    User,
    module_version_domain,
)


def latest_versions(domain_code: str | None = None) -> list[ModuleVersion]:
    """The newest version of every module, optionally only those mapped to a GPC domain."""
    newest = (
        sa.select(ModuleVersion.module_id, sa.func.max(ModuleVersion.number).label("number"))
        .group_by(ModuleVersion.module_id)
        .subquery()
    )
    stmt = (
        sa.select(ModuleVersion)
        .join(
            newest,
            sa.and_(
                newest.c.module_id == ModuleVersion.module_id,
                newest.c.number == ModuleVersion.number,
            ),
        )
        .options(joinedload(ModuleVersion.module), selectinload(ModuleVersion.domains))
        .order_by(ModuleVersion.title)
    )
    if domain_code:
        stmt = stmt.where(
            ModuleVersion.id.in_(
                sa.select(module_version_domain.c.module_version_id)
                .join(FrameworkDomain, FrameworkDomain.id == module_version_domain.c.domain_id)
                .where(FrameworkDomain.code == domain_code)
            )
        )
    return list(db.session.scalars(stmt).unique())


def gpc_domains() -> list[FrameworkDomain]:
    stmt = (
        sa.select(FrameworkDomain)
        .join(Framework)
        .where(Framework.code == "GPC")
        .order_by(FrameworkDomain.position)
    )
    return list(db.session.scalars(stmt))


def module_by_slug(slug: str) -> Module | None:
    stmt = (
        sa.select(Module)
        .where(Module.slug == slug)
        .options(selectinload(Module.versions).selectinload(ModuleVersion.domains))
    )
    return db.session.scalar(stmt)


@dataclass(frozen=True)
class ReleasedModule:
    """A module as one participant sees it in one cohort: its newest released version."""

    version: ModuleVersion
    release: Release
    cohort: Cohort
    progress: Progress | None

    @property
    def status(self) -> str:
        if self.progress is None or self.progress.started_at is None:
            return "Not started"
        return "Completed" if self.progress.completed_at else "In progress"

    @property
    def released_at(self) -> datetime:
        return self.release.release_at


def released_modules_for(user: User) -> list[ReleasedModule]:
    """Released modules across the user's active cohorts; a newer released version of a
    module supersedes older ones. Three queries whatever the number of modules."""
    stmt = (
        sa.select(Release, Enrolment)
        .join(Enrolment, Enrolment.cohort_id == Release.cohort_id)
        .where(
            Enrolment.user_id == user.id,
            Enrolment.status == EnrolmentStatus.ENROLLED,
            Release.is_released,
        )
        .options(
            joinedload(Release.module_version).options(
                joinedload(ModuleVersion.module), selectinload(ModuleVersion.domains)
            ),
            joinedload(Release.cohort),
        )
    )
    newest: dict[tuple[int, int], tuple[Release, Enrolment]] = {}
    for release, enrolment in db.session.execute(stmt).unique():
        key = (release.cohort_id, release.module_version.module_id)
        current = newest.get(key)
        if current is None or release.module_version.number > current[0].module_version.number:
            newest[key] = (release, enrolment)
    release_ids = [release.id for release, _ in newest.values()]
    progress = {
        (p.enrolment_id, p.release_id): p
        for p in db.session.scalars(
            sa.select(Progress).where(
                Progress.release_id.in_(release_ids),
                Progress.enrolment_id.in_({e.id for _, e in newest.values()}),
            )
        )
    }
    items = [
        ReleasedModule(r.module_version, r, r.cohort, progress.get((e.id, r.id)))
        for r, e in newest.values()
    ]
    return sorted(items, key=lambda item: (item.released_at, item.version.title), reverse=True)
