"""Feedback about a module version, and the history of what was done about it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from futuredoctor.models.base import Base, enum_column, utcnow
from futuredoctor.models.codesign import CodesignSession, FeedbackTag, feedback_item_tag
from futuredoctor.models.contributor import PublicContributor
from futuredoctor.models.enrolment import Enrolment
from futuredoctor.models.module import ModuleVersion
from futuredoctor.models.region import Cohort, Pilot
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


# The open statuses (livinglab.workflow.OPEN_STATUSES), for a partial index.
OPEN_ITEMS = "status IN ('received', 'under_review', 'planned', 'in_progress')"


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
        # Serves the new-version editor (/modules/<slug>/versions/new): its picker of open
        # feedback reads each version's open items oldest first and stops after a page.
        sa.Index(
            "ix_feedback_item_open_version_created",
            "module_version_id",
            "created_at",
            "id",
            sqlite_where=sa.text(OPEN_ITEMS),
            postgresql_where=sa.text(OPEN_ITEMS),
        ),
        # The same for a lead educator: one pilot's open items of a version, oldest first.
        sa.Index(
            "ix_feedback_item_open_version_pilot_created",
            "module_version_id",
            "scope_pilot_id",
            "created_at",
            "id",
            sqlite_where=sa.text(OPEN_ITEMS),
            postgresql_where=sa.text(OPEN_ITEMS),
        ),
        # Serves the inbox (/feedback) of a lead educator: one pilot's items newest first,
        # a range of this index instead of a walk through every pilot's newest items.
        sa.Index("ix_feedback_item_scope_pilot_created", "scope_pilot_id", "created_at", "id"),
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
    # The pilot whose educators triage the item: its enrolment's cohort's, its co-design
    # session's, or the one it was entered for (None: national only). Derived when the
    # item is written (``_keep_scope_pilot``; content sync moves it with a cohort), so
    # scoped lists are index ranges instead of joins through enrolment and cohort.
    scope_pilot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pilot.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The free text as an evaluation package shows it, kept up to date by
    # futuredoctor/evaluation/stored_redaction.py (see docs/deidentification.md).
    text_redacted: Mapped[str | None] = mapped_column(sa.Text)
    status_reason_redacted: Mapped[str | None] = mapped_column(sa.Text)
    has_redactions: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    redaction_stamp: Mapped[str | None] = mapped_column(sa.String(32), index=True)

    module_version: Mapped[ModuleVersion] = relationship(foreign_keys=[module_version_id])
    pilot: Mapped[Pilot | None] = relationship(foreign_keys=[pilot_id])
    scope_pilot: Mapped[Pilot | None] = relationship(foreign_keys=[scope_pilot_id])
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


def _scope_pilot(session: Session, item: FeedbackItem) -> Pilot | None:
    """The pilot ``item`` belongs to, from its objects or (not yet loaded) their ids."""
    enrolment = item.enrolment
    if enrolment is None and item.enrolment_id is not None:
        enrolment = session.get(Enrolment, item.enrolment_id)
    if enrolment is not None:
        cohort = enrolment.cohort or session.get_one(Cohort, enrolment.cohort_id)
        return cohort.pilot or session.get(Pilot, cohort.pilot_id)
    held = item.codesign_session
    if held is None and item.codesign_session_id is not None:
        held = session.get(CodesignSession, item.codesign_session_id)
    if held is not None:
        return held.pilot or session.get(Pilot, held.pilot_id)
    if item.pilot is None and item.pilot_id is not None:
        return session.get(Pilot, item.pilot_id)
    return item.pilot


_SOURCES = (
    "enrolment",
    "enrolment_id",
    "codesign_session",
    "codesign_session_id",
    "pilot",
    "pilot_id",
)


@event.listens_for(Session, "before_flush")
def _keep_scope_pilot(session: Session, flush_context: Any, instances: Any) -> None:
    """Set ``scope_pilot`` on new items and on items whose source changed."""
    for obj in [*session.new, *session.dirty]:
        if not isinstance(obj, FeedbackItem):
            continue
        state = sa.inspect(obj)
        if not state.pending and not any(
            state.attrs[name].history.has_changes() for name in _SOURCES
        ):
            continue
        with session.no_autoflush:
            obj.scope_pilot = _scope_pilot(session, obj)
