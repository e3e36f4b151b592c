"""Capability frameworks (the GMC GPC first) and their domains."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from futuredoctor.models.base import Base


class Framework(Base):
    __tablename__ = "framework"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    publisher: Mapped[str] = mapped_column(sa.String(200))

    domains: Mapped[list[FrameworkDomain]] = relationship(
        back_populates="framework", order_by="FrameworkDomain.position"
    )


class FrameworkDomain(Base):
    """A domain such as GPC5; ``code`` is our stable identifier, ``title`` the publisher's."""

    __tablename__ = "framework_domain"
    __table_args__ = (sa.UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(sa.ForeignKey("framework.id"))
    code: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    position: Mapped[int]

    framework: Mapped[Framework] = relationship(back_populates="domains")
