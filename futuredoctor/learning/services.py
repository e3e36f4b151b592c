"""The module catalogue and what each participant can take: read-only queries."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, load_only, selectinload

from futuredoctor.extensions import db
from futuredoctor.models import (
    Framework,
    FrameworkDomain,
    Module,
    ModuleVersion,
    module_version_domain,
)
from futuredoctor.paging import Page, paginate

CATALOGUE_PAGE = 20


def latest_versions_page(
    number: int, domain_code: str | None = None, text: str | None = None
) -> Page:
    """One page (``CATALOGUE_PAGE`` modules, by title) of the newest version of every module,
    optionally only those mapped to a GPC domain and those whose title or summary contains
    ``text``. The whole catalogue on one page grew with every module (100 at national size,
    83 KB); the versions' bodies are never read."""
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
        .options(
            load_only(
                ModuleVersion.module_id,
                ModuleVersion.number,
                ModuleVersion.title,
                ModuleVersion.summary,
                ModuleVersion.estimated_minutes,
                ModuleVersion.delivery_mode,
            ),
            joinedload(ModuleVersion.module).load_only(Module.slug),
            selectinload(ModuleVersion.domains),
        )
        .order_by(ModuleVersion.title, ModuleVersion.id)
    )
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            sa.or_(
                ModuleVersion.title.ilike(pattern, escape="\\"),
                ModuleVersion.summary.ilike(pattern, escape="\\"),
            )
        )
    if domain_code:
        stmt = stmt.where(
            ModuleVersion.id.in_(
                sa.select(module_version_domain.c.module_version_id)
                .join(FrameworkDomain, FrameworkDomain.id == module_version_domain.c.domain_id)
                .where(FrameworkDomain.code == domain_code)
            )
        )
    return paginate(stmt, number, per_page=CATALOGUE_PAGE)


def gpc_domains() -> list[FrameworkDomain]:
    stmt = (
        sa.select(FrameworkDomain)
        .join(Framework)
        .where(Framework.code == "GPC")
        .order_by(FrameworkDomain.position)
    )
    return list(db.session.scalars(stmt))


def module_by_slug(slug: str) -> Module | None:
    """The module with its versions (joined: one statement for both) and their GPC
    domains (one more)."""
    stmt = (
        sa.select(Module)
        .where(Module.slug == slug)
        .options(joinedload(Module.versions).selectinload(ModuleVersion.domains))
    )
    return db.session.scalars(stmt).unique().one_or_none()
