"""Feedback about a module version, and the history of what was done about it."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from futuredoctor.models.base import Base, enum_column, utcnow
from futuredoctor.models.codesign import CodesignSession, FeedbackTag, feedback_item_tag
from futuredoctor.models.contributor import PublicContributor
from futuredoctor.models.enrolment import Enrolment
from futuredoctor.models.module import ModuleVersion
from futuredoctor.models.region import Pilot
from futuredoctor.models.user import User


class FeedbackSource(enum.StrEnum):
    PARTICIPANT = "participant"
    CODESIGN_SESSION = "codesign_session"
    EDUCATOR = "educator"
    PATIENT_PUBLIC = "patient_public"


class FeedbackStatus(enum.StrEnum):
    RECEIVED = "received"
    UNDER_REVIEW = "under_review"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DECLINED = "declined"


class FeedbackItem(Base):
    """Likert ratings (1–5) and free text, linked to the version it was about and the
    version that acted on it: the living-lab loop, kept in the data."""

    __tablename__ = "feedback_item"
    __table_args__ = (
        sa.CheckConstraint("relevance BETWEEN 1 AND 5", name="relevance_range"),
        sa.CheckConstraint("quality BETWEEN 1 AND 5", name="quality_range"),
        sa.CheckConstraint("applicability BETWEEN 1 AND 5", name="applicability_range"),
        sa.UniqueConstraint("module_version_id", "enrolment_id"),
        sa.Index("ix_feedback_item_version_status", "module_version_id", "status"),
        # Serves the feedback inbox (/feedback): its newest-first page reads this index
        # backwards and stops after one page instead of sorting every item in scope.
        sa.Index("ix_feedback_item_created_at_id", "created_at", "id"),
        sa.CheckConstraint(
            "contributor_id IS NULL OR source = 'patient_public'", name="contributor_is_public"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    module_version_id: Mapped[int] = mapped_column(sa.ForeignKey("module_version.id"))
    enrolment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("enrolment.id"), index=True)
    source: Mapped[FeedbackSource] = mapped_column(enum_column(FeedbackSource, "source"))
    relevance: Mapped[int | None]
    quality: Mapped[int | None]
    applicability: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[FeedbackStatus] = mapped_column(
        enum_column(FeedbackStatus, "status"), default=FeedbackStatus.RECEIVED
    )
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    addressed_by_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("module_version.id"), index=True
    )
    notify_on_action: Mapped[bool] = mapped_column(default=False)
    codesign_session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("codesign_session.id"), index=True
    )
    # Feedback entered by staff on someone's behalf outside a session: its pilot (items
    # from participants or sessions take theirs from the cohort or session), the recorded
    # public contributor it came from, if any, and who entered it.
    pilot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pilot.id"), index=True)
    contributor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("public_contributor.id"), index=True
    )
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The free text as an evaluation package shows it, kept up to date by
    # futuredoctor/evaluation/stored_redaction.py (see docs/deidentification.md).
    text_redacted: Mapped[str | None] = mapped_column(sa.Text)
    status_reason_redacted: Mapped[str | None] = mapped_column(sa.Text)
    has_redactions: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    redaction_stamp: Mapped[str | None] = mapped_column(sa.String(32), index=True)

    module_version: Mapped[ModuleVersion] = relationship(foreign_keys=[module_version_id])
    pilot: Mapped[Pilot | None] = relationship()
    contributor: Mapped[PublicContributor | None] = relationship()
    addressed_by_version: Mapped[ModuleVersion | None] = relationship(
        foreign_keys=[addressed_by_version_id]
    )
    enrolment: Mapped[Enrolment | None] = relationship()
    codesign_session: Mapped[CodesignSession | None] = relationship()
    tags: Mapped[list[FeedbackTag]] = relationship(
        secondary=feedback_item_tag, order_by="FeedbackTag.name"
    )
    history: Mapped[list[FeedbackStatusChange]] = relationship(
        back_populates="feedback_item", order_by="FeedbackStatusChange.changed_at"
    )


class FeedbackStatusChange(Base):
    """One step in a feedback item's dated timeline."""

    __tablename__ = "feedback_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_item_id: Mapped[int] = mapped_column(sa.ForeignKey("feedback_item.id"), index=True)
    status: Mapped[FeedbackStatus] = mapped_column(enum_column(FeedbackStatus, "status"))
    note: Mapped[str | None] = mapped_column(sa.Text)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    note_redacted: Mapped[str | None] = mapped_column(sa.Text)
    has_redactions: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    redaction_stamp: Mapped[str | None] = mapped_column(sa.String(32), index=True)

    feedback_item: Mapped[FeedbackItem] = relationship(back_populates="history")


class FeedbackReply(Base):
    """An educator's answer to the person who gave a feedback item, shown on that
    person's own feedback page. Kept as written: a correction is a further reply."""

    __tablename__ = "feedback_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_item_id: Mapped[int] = mapped_column(sa.ForeignKey("feedback_item.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    feedback_item: Mapped[FeedbackItem] = relationship()
    author: Mapped[User | None] = relationship()
