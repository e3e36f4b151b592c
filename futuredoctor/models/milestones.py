"""The Clinician Educator Milestones, versioned, and educators' dated self-assessments.

A framework row is one *version*: content sync adds a new row when the file changes and
never edits an old one, so a self-assessment always reads the wording it was made against.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from futuredoctor.models.base import Base, utcnow
from futuredoctor.models.user import User

LEVELS = range(1, 6)


class MilestoneFramework(Base):
    """One version of a milestone framework (code "CEM"), with its five level names."""

    __tablename__ = "milestone_framework"
    __table_args__ = (sa.UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16))
    version: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(200))
    publisher: Mapped[str] = mapped_column(sa.String(200))
    # [{"number": 1, "name": "Novice", "descriptor": "..."}, ...] in level order
    levels: Mapped[list[dict[str, object]]] = mapped_column(sa.JSON, default=list)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    domains: Mapped[list[MilestoneDomain]] = relationship(
        back_populates="framework", order_by="MilestoneDomain.position"
    )

    def level_name(self, number: int) -> str:
        for level in self.levels:
            if level.get("number") == number:
                return str(level.get("name"))
        return str(number)


class MilestoneDomain(Base):
    __tablename__ = "milestone_domain"
    __table_args__ = (sa.UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(sa.ForeignKey("milestone_framework.id"))
    code: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(200))
    position: Mapped[int]

    framework: Mapped[MilestoneFramework] = relationship(back_populates="domains")
    subcompetencies: Mapped[list[Subcompetency]] = relationship(
        back_populates="domain", order_by="Subcompetency.position"
    )


class Subcompetency(Base):
    """One developmental path; ``code`` (e.g. "ETP1") is stable across versions."""

    __tablename__ = "subcompetency"
    __table_args__ = (sa.UniqueConstraint("domain_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    domain_id: Mapped[int] = mapped_column(sa.ForeignKey("milestone_domain.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    level_descriptors: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    position: Mapped[int]

    domain: Mapped[MilestoneDomain] = relationship(back_populates="subcompetencies")


class EducatorProfile(Base):
    """A participant who teaches and has opted in to educator development. Lead educators
    and champions are educators by role and need no row."""

    __tablename__ = "educator_profile"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), primary_key=True)
    opted_in_at: Mapped[datetime] = mapped_column(default=utcnow)


class SelfAssessment(Base):
    """A dated snapshot: the levels an educator gave themselves at one moment."""

    __tablename__ = "self_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    framework_id: Mapped[int] = mapped_column(sa.ForeignKey("milestone_framework.id"))
    assessed_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    framework: Mapped[MilestoneFramework] = relationship()
    ratings: Mapped[list[MilestoneRating]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )


class MilestoneRating(Base):
    """A level on one subcompetency, with the evidence behind it."""

    __tablename__ = "milestone_rating"
    __table_args__ = (
        sa.UniqueConstraint("assessment_id", "subcompetency_id"),
        sa.CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("self_assessment.id"), index=True)
    subcompetency_id: Mapped[int] = mapped_column(sa.ForeignKey("subcompetency.id"))
    level: Mapped[int]
    evidence_note: Mapped[str] = mapped_column(sa.Text, default="")
    # A link to the evidence: a completed module, a session run, an opportunity, a post.
    evidence_link: Mapped[str | None] = mapped_column(sa.String(500))

    assessment: Mapped[SelfAssessment] = relationship(back_populates="ratings")
    subcompetency: Mapped[Subcompetency] = relationship()
