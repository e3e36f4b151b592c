"""The content that forms offer as choices, kept in memory by each web process.

Regions with their local health priorities, the GPC domains, the modules (by their
latest version's title, and the catalogue's card of each latest version) and the
milestones' subcompetencies change only with a content sync or a published version,
and the professions champions give (the directory's filter) only when a profile is made,
removed or given another profession, yet the catalogue, the network, the directory,
mentoring and the forms that tag things list them on every page.
They are read once and kept for as long as the content stamp
(``futuredoctor.models.content_stamp``) keeps its token: a page asks for one short row
instead of four or more queries. Nothing about a person is kept here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app, g, has_request_context

from futuredoctor.extensions import db
from futuredoctor.models import (
    ChampionProfile,
    ContentStamp,
    Framework,
    FrameworkDomain,
    MilestoneDomain,
    MilestoneFramework,
    Module,
    ModuleVersion,
    Region,
    Subcompetency,
    module_version_domain,
)
from futuredoctor.models.content_stamp import BUMPED, STAMP_ID

_KEY = "content_choices"


@dataclass(frozen=True)
class RegionChoice:
    id: int
    code: str
    name: str
    priorities: tuple[str, ...]


@dataclass(frozen=True)
class DomainChoice:
    code: str
    title: str


@dataclass(frozen=True)
class CatalogueEntry:
    """The catalogue's card for a module's latest version (never its body)."""

    module_slug: str
    number: int
    title: str
    summary: str
    estimated_minutes: int
    delivery_mode: str
    domains: tuple[DomainChoice, ...]  # in the framework's order


@dataclass(frozen=True)
class ContentChoices:
    regions: tuple[RegionChoice, ...]  # by name
    domains: tuple[tuple[str, str], ...]  # (code, title) in the framework's order
    modules: tuple[tuple[str, str], ...]  # (slug, latest title) by title
    module_titles: dict[int, str]  # module id -> latest version's title
    module_ids: dict[str, int]  # slug -> module id
    milestones: tuple[tuple[str, str], ...]  # (code, title) of the newest CEM's subcompetencies
    professions: tuple[str, ...] = ()  # champions' own words, each once, in order
    catalogue: tuple[CatalogueEntry, ...] = ()  # latest versions by title, then version id
    version_domains: dict[int, tuple[DomainChoice, ...]] = field(default_factory=dict)
    module_versions: dict[int, tuple[int, ...]] = field(default_factory=dict)  # ids by number

    @property
    def priorities(self) -> list[str]:
        """Every region's local health priorities, each once, in alphabetical order."""
        return sorted({p for r in self.regions for p in r.priorities})

    @property
    def domain_titles(self) -> dict[str, str]:
        return dict(self.domains)


def _load() -> ContentChoices:
    regions = tuple(
        RegionChoice(r.id, r.code, r.name, tuple(r.priorities))
        for r in db.session.execute(
            sa.select(Region.id, Region.code, Region.name, Region.priorities).order_by(Region.name)
        )
    )
    domains = tuple(
        (code, title)
        for code, title in db.session.execute(
            sa.select(FrameworkDomain.code, FrameworkDomain.title)
            .join(Framework)
            .where(Framework.code == "GPC")
            .order_by(FrameworkDomain.position)
        )
    )
    latest = (
        sa.select(ModuleVersion.module_id, sa.func.max(ModuleVersion.number).label("number"))
        .group_by(ModuleVersion.module_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Module.id, Module.slug, ModuleVersion.title)
        .join(latest, latest.c.module_id == Module.id)
        .join(
            ModuleVersion,
            sa.and_(ModuleVersion.module_id == Module.id, ModuleVersion.number == latest.c.number),
        )
        .order_by(ModuleVersion.title, Module.slug)
    ).all()
    version_domains = _version_domains()
    catalogue = _catalogue(latest, version_domains)
    newest = (
        sa.select(MilestoneFramework.id)
        .where(MilestoneFramework.code == "CEM")
        .order_by(MilestoneFramework.version.desc())
        .limit(1)
        .scalar_subquery()
    )
    milestones = tuple(
        (code, title)
        for code, title in db.session.execute(
            sa.select(Subcompetency.code, Subcompetency.title)
            .join(MilestoneDomain, MilestoneDomain.id == Subcompetency.domain_id)
            .where(MilestoneDomain.framework_id == newest)
            .order_by(MilestoneDomain.position, Subcompetency.position)
        )
    )
    professions = tuple(
        db.session.scalars(
            sa.select(ChampionProfile.profession)
            .distinct()
            .where(ChampionProfile.profession != "")
            .order_by(ChampionProfile.profession)
        )
    )
    return ContentChoices(
        regions=regions,
        domains=domains,
        modules=tuple((slug, title) for _, slug, title in rows),
        module_titles={module_id: title for module_id, _, title in rows},
        module_ids={slug: module_id for module_id, slug, _ in rows},
        milestones=milestones,
        professions=professions,
        catalogue=catalogue,
        version_domains=version_domains,
        module_versions=_module_versions(),
    )


def _module_versions() -> dict[int, tuple[int, ...]]:
    """Each module's version ids in number order (the editor's feedback picker asks)."""
    found: dict[int, list[int]] = {}
    for module_id, version_id in db.session.execute(
        sa.select(ModuleVersion.module_id, ModuleVersion.id).order_by(
            ModuleVersion.module_id, ModuleVersion.number
        )
    ):
        found.setdefault(module_id, []).append(version_id)
    return {module_id: tuple(ids) for module_id, ids in found.items()}


def _version_domains() -> dict[int, tuple[DomainChoice, ...]]:
    """Every module version's GPC domains in the framework's order (a few hundred versions
    of a few domains each): the module page and the catalogue show them."""
    mapped: dict[int, list[DomainChoice]] = {}
    for version_id, code, title in db.session.execute(
        sa.select(
            module_version_domain.c.module_version_id, FrameworkDomain.code, FrameworkDomain.title
        )
        .join(FrameworkDomain, FrameworkDomain.id == module_version_domain.c.domain_id)
        .order_by(module_version_domain.c.module_version_id, FrameworkDomain.position)
    ):
        mapped.setdefault(version_id, []).append(DomainChoice(code, title))
    return {version_id: tuple(domains) for version_id, domains in mapped.items()}


def _catalogue(
    latest: sa.Subquery, version_domains: dict[int, tuple[DomainChoice, ...]]
) -> tuple[CatalogueEntry, ...]:
    """Every module's latest version as the catalogue shows it: one query, once per
    content change, instead of a page, its count and its domains on every view."""
    cards = db.session.execute(
        sa.select(
            ModuleVersion.id,
            Module.slug,
            ModuleVersion.number,
            ModuleVersion.title,
            ModuleVersion.summary,
            ModuleVersion.estimated_minutes,
            ModuleVersion.delivery_mode,
        )
        .join(Module, Module.id == ModuleVersion.module_id)
        .join(
            latest,
            sa.and_(
                latest.c.module_id == ModuleVersion.module_id,
                latest.c.number == ModuleVersion.number,
            ),
        )
        .order_by(ModuleVersion.title, ModuleVersion.id)
    ).all()
    return tuple(
        CatalogueEntry(slug, number, title, summary, minutes, mode, version_domains.get(vid, ()))
        for vid, slug, number, title, summary, minutes, mode in cards
    )


def remember_stamp(token: str | None) -> None:
    """The stamp's token, read by this request already (the account check reads it with
    the account, in one statement), for ``content_choices`` to compare."""
    if has_request_context():
        g.content_stamp = (token,)


def content_choices() -> ContentChoices:
    """The current choices: from memory while the stamp's token is unchanged (one query,
    or none when this request has read the token already), read afresh otherwise. Without
    a stamp row nothing is kept."""
    read = g.get("content_stamp") if has_request_context() else None
    if read is not None and not db.session.info.get(BUMPED):
        (token,) = read
    else:
        token = db.session.scalar(sa.select(ContentStamp.token).where(ContentStamp.id == STAMP_ID))
    kept = current_app.extensions.get(_KEY)
    if token is not None and kept is not None and kept[0] == token:
        return kept[1]
    found = _load()
    if token is not None:
        current_app.extensions[_KEY] = (token, found)  # one assignment: safe across threads
    return found
