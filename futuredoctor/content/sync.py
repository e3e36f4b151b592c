"""Bring the database in line with the content files, idempotently.

Content is validated in full first and nothing is written while any problem remains
(rule 5). Records are matched by their stable identifiers (framework and domain codes,
region code, pilot and cohort slugs, module slug) and updated in place; a module whose
content changed gets a new immutable version instead. Nothing is ever deleted here:
enrolments, releases and feedback hang off these rows. The caller commits (rule 4).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from futuredoctor.content.check import (
    FRAMEWORKS_DIR,
    GPC,
    Loc,
    ModuleFile,
    Problem,
    RegionFile,
    _dotted,
    _line_for,
    load_content,
    toml_key_lines,
)
from futuredoctor.content.milestones import sync_milestones
from futuredoctor.content.schema import CohortSpec, FrameworkSpec, PilotSpec
from futuredoctor.enrolment.capacity import SEAT_STATUSES
from futuredoctor.models import (
    Cohort,
    Enrolment,
    FeedbackItem,
    Framework,
    FrameworkDomain,
    Module,
    ModuleVersion,
    Pilot,
    Region,
)


class ContentError(Exception):
    """The content has problems, so nothing was written; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(str(problem) for problem in self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the content:\n{lines}")


@dataclass
class SyncReport:
    """What a sync did, by identifier, so a CLI can print it and tests can assert on it."""

    frameworks_created: list[str] = field(default_factory=list)
    frameworks_updated: list[str] = field(default_factory=list)
    domains_created: list[str] = field(default_factory=list)
    domains_updated: list[str] = field(default_factory=list)
    regions_created: list[str] = field(default_factory=list)
    regions_updated: list[str] = field(default_factory=list)
    pilots_created: list[str] = field(default_factory=list)
    pilots_updated: list[str] = field(default_factory=list)
    cohorts_created: list[str] = field(default_factory=list)
    cohorts_updated: list[str] = field(default_factory=list)
    modules_created: list[str] = field(default_factory=list)
    versions_created: list[str] = field(default_factory=list)  # "slug v2"
    milestone_versions_created: list[str] = field(default_factory=list)  # "CEM v2"
    unchanged: int = 0  # records that already matched their file

    @property
    def changed(self) -> bool:
        return any(value for value in vars(self).values() if isinstance(value, list))

    def summary(self) -> str:
        """One line per kind of change, for the CLI."""
        parts = [
            f"{name.replace('_', ' ')}: {len(value)}"
            for name, value in vars(self).items()
            if isinstance(value, list) and value
        ]
        return "\n".join([*parts, f"unchanged: {self.unchanged}"])


def content_hash(module: ModuleFile) -> str:
    """A fingerprint of everything a participant would see, so edits make a new version.

    The version number is left out (bumping it alone changes nothing) and the GPC codes
    are sorted (the mapping is a set).
    """
    front_matter = module.front_matter.model_dump(
        mode="json", exclude={"version", "addresses_feedback"}
    )
    front_matter["gpc_domains"] = sorted(front_matter["gpc_domains"])
    canonical = json.dumps(
        {"front_matter": front_matter, "body": module.body},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def sync_content(
    session: Session,
    content_dir: Path,
    regions_dir: Path,
    frameworks_dir: Path = FRAMEWORKS_DIR,
) -> SyncReport:
    """Validate everything, then create or update rows and ``flush()``; never commits."""
    loaded = load_content(content_dir, regions_dir, frameworks_dir)
    if loaded.problems:
        raise ContentError(loaded.problems)
    from futuredoctor.livinglab.loop import check_addresses  # the living-lab loop

    addressed, problems = check_addresses(loaded.modules)
    if problems:
        raise ContentError(problems)
    report = SyncReport()
    domains: dict[str, FrameworkDomain] = {}
    for framework_file in loaded.frameworks:
        framework = _sync_framework(session, framework_file.framework, report)
        if framework.code == GPC:
            domains = {domain.code: domain for domain in framework.domains}
    for milestone_file in loaded.milestones:
        created = sync_milestones(session, milestone_file.framework)
        if created:
            report.milestone_versions_created.append(created)
        else:
            report.unchanged += 1
    _sync_regions(session, loaded.regions, report)
    _sync_modules(session, loaded.modules, domains, report, addressed)
    session.flush()
    return report


def _update(obj: Any, values: dict[str, Any]) -> bool:
    """Set the attributes that differ; True if any did."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _position(domain: FrameworkDomain) -> int:
    return domain.position


def _record(
    report: SyncReport, kind: str, key: str, *, created: bool = False, updated: bool = False
) -> None:
    if created:
        getattr(report, f"{kind}_created").append(key)
    elif updated:
        getattr(report, f"{kind}_updated").append(key)
    else:
        report.unchanged += 1


def _sync_framework(session: Session, spec: FrameworkSpec, report: SyncReport) -> Framework:
    framework = session.scalars(
        sa.select(Framework)
        .where(Framework.code == spec.code)
        .options(selectinload(Framework.domains))
    ).one_or_none()
    values = {"name": spec.name, "publisher": spec.publisher}
    if framework is None:
        framework = Framework(code=spec.code, **values)
        session.add(framework)
        _record(report, "frameworks", spec.code, created=True)
    else:
        _record(report, "frameworks", spec.code, updated=_update(framework, values))
    existing = {domain.code: domain for domain in framework.domains}
    for domain_spec in spec.domains:
        values = domain_spec.model_dump(exclude={"code"})
        domain = existing.get(domain_spec.code)
        if domain is None:
            domain = FrameworkDomain(framework=framework, code=domain_spec.code, **values)
            session.add(domain)
            _record(report, "domains", domain_spec.code, created=True)
        else:
            _record(report, "domains", domain_spec.code, updated=_update(domain, values))
    return framework


def _sync_regions(session: Session, files: list[RegionFile], report: SyncReport) -> None:
    # Three queries, whatever the number of regions, pilots and cohorts (plus a lock and a
    # count for each cohort whose capacity changes).
    regions = {r.code: r for r in session.scalars(sa.select(Region))}
    pilots = {p.slug: p for p in session.scalars(sa.select(Pilot))}
    cohorts = {c.slug: c for c in session.scalars(sa.select(Cohort))}
    problems: list[Problem] = []
    for file in files:
        spec = file.region
        values: dict[str, Any] = {"name": spec.name, "priorities": list(spec.priorities)}
        region = regions.get(spec.code)
        if region is None:
            region = Region(code=spec.code, **values)
            session.add(region)
            _record(report, "regions", spec.code, created=True)
        else:
            _record(report, "regions", spec.code, updated=_update(region, values))
        for p, pilot_spec in enumerate(spec.pilots):
            pilot = _sync_pilot(session, pilots.get(pilot_spec.slug), region, pilot_spec, report)
            for c, cohort_spec in enumerate(pilot_spec.cohorts):
                cohort = cohorts.get(cohort_spec.slug)
                if cohort is not None and cohort.capacity != cohort_spec.capacity:
                    where = (file.path, ("pilots", p, "cohorts", c, "capacity"))
                    problem = _capacity_problem(session, cohort, cohort_spec, where)
                    if problem is not None:
                        problems.append(problem)
                        continue
                _sync_cohort(session, cohort, pilot, cohort_spec, report)
    if problems:
        raise ContentError(problems)


def _capacity_problem(
    session: Session, cohort: Cohort, spec: CohortSpec, where: tuple[Path, Loc]
) -> Problem | None:
    """A capacity may shrink only to the places already given. The cohort row is locked
    first, as an enrolment or a CSV import on a web server locks it, so a sync and an
    import running at once queue behind each other instead of both counting stale seats."""
    session.execute(sa.select(Cohort.id).where(Cohort.id == cohort.id).with_for_update())
    taken = session.scalar(
        sa.select(sa.func.count()).where(
            Enrolment.cohort_id == cohort.id, Enrolment.status.in_(SEAT_STATUSES)
        )
    )
    if taken is None or spec.capacity >= taken:
        return None
    path, loc = where
    return Problem(
        path,
        _line_for(toml_key_lines(path.read_text(encoding="utf-8")), loc),
        _dotted(loc),
        f"{spec.capacity} is fewer than the {taken} places already given in {cohort.name}; "
        "withdraw people first or keep the capacity at least that high",
    )


def _sync_pilot(
    session: Session, pilot: Pilot | None, region: Region, spec: PilotSpec, report: SyncReport
) -> Pilot:
    values = {"name": spec.name, "summary": spec.summary, "start_date": spec.start_date}
    if pilot is None:
        pilot = Pilot(region=region, slug=spec.slug, **values)
        session.add(pilot)
        _record(report, "pilots", spec.slug, created=True)
        return pilot
    # The region is already in the identity map, so comparing it costs no query.
    moved = pilot.region is not region
    if moved:
        pilot.region = region
    _record(report, "pilots", spec.slug, updated=_update(pilot, values) or moved)
    return pilot


def _sync_cohort(
    session: Session, cohort: Cohort | None, pilot: Pilot, spec: CohortSpec, report: SyncReport
) -> None:
    values = spec.model_dump(exclude={"slug", "professional_groups", "career_stages"})
    values["eligible_professional_groups"] = list(spec.professional_groups)
    values["eligible_career_stages"] = list(spec.career_stages)
    if cohort is None:
        session.add(Cohort(pilot=pilot, slug=spec.slug, **values))
        _record(report, "cohorts", spec.slug, created=True)
        return
    moved = cohort.pilot is not pilot
    if moved:
        cohort.pilot = pilot
        if pilot.id is None:
            session.flush()
        # Its participants' feedback moves with it (FeedbackItem.scope_pilot_id).
        of_cohort = sa.select(Enrolment.id).where(Enrolment.cohort_id == cohort.id)
        session.execute(
            sa.update(FeedbackItem)
            .where(FeedbackItem.enrolment_id.in_(of_cohort))
            .values(scope_pilot_id=pilot.id),
            execution_options={"synchronize_session": False},
        )
    _record(report, "cohorts", spec.slug, updated=_update(cohort, values) or moved)


def _sync_modules(
    session: Session,
    files: list[ModuleFile],
    domains: dict[str, FrameworkDomain],
    report: SyncReport,
    addressed: dict[int, Any] | None = None,
) -> None:
    # One query for modules and one for all their versions (plus one for version domains).
    modules = {
        m.slug: m for m in session.scalars(sa.select(Module).options(selectinload(Module.versions)))
    }
    for file in files:
        spec = file.front_matter
        module = modules.get(spec.slug)
        if module is None:
            module = Module(slug=spec.slug)
            session.add(module)
            report.modules_created.append(spec.slug)
        digest = content_hash(file)
        latest = module.versions[-1] if module.versions else None
        if latest is not None and latest.content_hash == digest:
            report.unchanged += 1
            continue
        if latest is not None and spec.version < latest.number and any(
            v.number == spec.version and v.content_hash == digest for v in module.versions
        ):
            report.unchanged += 1  # the file is behind a version published in the web editor
            continue
        number = spec.version if latest is None else max(spec.version, latest.number + 1)
        version = ModuleVersion(
            module=module,
            number=number,
            title=spec.title,
            summary=spec.summary,
            estimated_minutes=spec.estimated_minutes,
            delivery_mode=spec.delivery_mode,
            learning_outcomes=list(spec.learning_outcomes),
            body_markdown=file.body,
            changelog=spec.changelog,
            content_hash=digest,
            # Sorted as the relationship loads them, so this session agrees with a fresh one.
            domains=sorted((domains[code] for code in spec.gpc_domains), key=_position),
        )
        session.add(version)
        report.versions_created.append(f"{spec.slug} v{number}")
        if spec.addresses_feedback and addressed is not None:
            from futuredoctor.livinglab.loop import close_loop

            session.flush()
            close_loop(version, [addressed[i] for i in spec.addresses_feedback], None)
