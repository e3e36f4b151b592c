"""The module catalogue and what each participant can take: read-only queries."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload, lazyload

from futuredoctor.content.choices import DomainChoice, content_choices
from futuredoctor.extensions import db
from futuredoctor.models import (
    Framework,
    FrameworkDomain,
    Module,
    ModuleVersion,
)
from futuredoctor.paging import Page

CATALOGUE_PAGE = 20


def latest_versions_page(
    number: int, domain_code: str | None = None, text: str | None = None
) -> Page:
    """One page (``CATALOGUE_PAGE`` modules, by title) of the newest version of every module,
    optionally only those mapped to a GPC domain and those whose title or summary contains
    ``text`` (any case). Read from the content choices each process keeps (the catalogue
    changes only with a published version or a content sync), so a view costs no query;
    the whole catalogue on one page grew with every module (100 at national size, 83 KB)."""
    entries = content_choices().catalogue
    if text:
        wanted = text.casefold()
        entries = tuple(
            e for e in entries if wanted in e.title.casefold() or wanted in e.summary.casefold()
        )
    if domain_code:
        entries = tuple(e for e in entries if any(d.code == domain_code for d in e.domains))
    offset = (number - 1) * CATALOGUE_PAGE
    if number > 1 and offset >= len(entries):
        abort(404)
    return Page(
        items=entries[offset : offset + CATALOGUE_PAGE],
        number=number,
        per_page=CATALOGUE_PAGE,
        total=len(entries),
    )


def catalogue_domains() -> list[DomainChoice]:
    """The GPC domains the catalogue filters by, from the kept content choices."""
    return [DomainChoice(code, title) for code, title in content_choices().domains]


def gpc_domains() -> list[FrameworkDomain]:
    stmt = (
        sa.select(FrameworkDomain)
        .join(Framework)
        .where(Framework.code == "GPC")
        .order_by(FrameworkDomain.position)
    )
    return list(db.session.scalars(stmt))


def _by_slug(domains: bool) -> sa.Select[tuple[Module]]:
    versions = joinedload(Module.versions)
    return (
        sa.select(Module)
        .where(Module.slug == sa.bindparam("slug"))
        .options(
            versions.selectinload(ModuleVersion.domains)
            if domains
            else versions.lazyload(ModuleVersion.domains)
        )
    )


# Built once with the slug bound: every module page and action reads its module this way,
# and building the statement (and its cache key) took longer than the database did.
_BY_SLUG = {domains: _by_slug(domains) for domains in (True, False)}


def module_by_slug(slug: str, domains: bool = True) -> Module | None:
    """The module with its versions (joined: one statement for both) and, unless
    ``domains`` is false, their GPC domains (one more). A page that shows one version's
    domains takes them from ``version_domains`` instead."""
    return db.session.scalars(_BY_SLUG[domains], {"slug": slug}).unique().one_or_none()


_NEWEST = (
    sa.select(ModuleVersion)
    .where(ModuleVersion.module_id == sa.bindparam("module_id"))
    .order_by(ModuleVersion.number.desc())
    .limit(1)
    .options(lazyload(ModuleVersion.domains))
)


def newest_version(module: Module) -> ModuleVersion:
    """The module's newest version alone (its other versions and their GPC mapping are
    not read: see ``version_domains``)."""
    return db.session.scalars(_NEWEST, {"module_id": module.id}).one()


def version_domains(version: ModuleVersion) -> tuple[DomainChoice, ...]:
    """A version's GPC domains from the kept content choices (no query)."""
    return content_choices().version_domains.get(version.id, ())
