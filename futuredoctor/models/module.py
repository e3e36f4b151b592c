"""Modules and their immutable versions; each version carries its own GPC mapping."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from futuredoctor.models.base import Base, utcnow
from futuredoctor.models.framework import FrameworkDomain

module_version_domain = sa.Table(
    "module_version_domain",
    Base.metadata,
    sa.Column("module_version_id", sa.ForeignKey("module_version.id"), primary_key=True),
    sa.Column("domain_id", sa.ForeignKey("framework_domain.id"), primary_key=True, index=True),
)


def version_label(title: str, number: int) -> str:
    """How a version is named in lists: "Title (version 2)"."""
    return f"{title} (version {number})"


class Module(Base):
    """A short unit of learning, identified by a stable slug across its versions."""

    __tablename__ = "module"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[ModuleVersion]] = relationship(
        back_populates="module", order_by="ModuleVersion.number"
    )

    @property
    def latest(self) -> ModuleVersion:
        return self.versions[-1]


class ModuleVersion(Base):
    """One published state of a module. Never edited: a change is a new version."""

    __tablename__ = "module_version"
    __table_args__ = (
        sa.UniqueConstraint("module_id", "number"),
        sa.CheckConstraint("estimated_minutes > 0", name="minutes_positive"),
        # The version picker of /releases/new and /codesign/... lists the first versions
        # by title (migration 0024).
        sa.Index("ix_module_version_title_number", "title", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("module.id"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text)
    estimated_minutes: Mapped[int]
    delivery_mode: Mapped[str] = mapped_column(sa.String(16))
    learning_outcomes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    body_markdown: Mapped[str] = mapped_column(sa.Text)
    changelog: Mapped[str] = mapped_column(sa.Text, default="")
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    module: Mapped[Module] = relationship(back_populates="versions")
    domains: Mapped[list[FrameworkDomain]] = relationship(
        secondary=module_version_domain, order_by="FrameworkDomain.position", lazy="selectin"
    )

    @property
    def label(self) -> str:
        return version_label(self.title, self.number)


# What a list of versions shows of each (a card: title, summary, length), for
# ``load_only``: never the body, which only a version's own page reads.
VERSION_CARD = (
    ModuleVersion.module_id,
    ModuleVersion.number,
    ModuleVersion.title,
    ModuleVersion.summary,
    ModuleVersion.estimated_minutes,
)


def with_version_and_module(version: Any) -> tuple[Any, Any]:
    """Loader options for ``version`` (a relationship to a module version): joined with
    its module, without its GPC mapping (pages take domains from the kept content
    choices, and loading the mapping cost a statement of its own)."""
    return (
        joinedload(version).joinedload(ModuleVersion.module),
        joinedload(version).lazyload(ModuleVersion.domains),
    )
