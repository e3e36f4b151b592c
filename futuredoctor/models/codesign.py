"""Living-lab co-design sessions and the tags educators use to group feedback themes."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from futuredoctor.models.base import Base, enum_column, utcnow
from futuredoctor.models.contributor import PublicContributor
from futuredoctor.models.region import Pilot

feedback_item_tag = sa.Table(
    "feedback_item_tag",
    Base.metadata,
    sa.Column("feedback_item_id", sa.ForeignKey("feedback_item.id"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("feedback_tag.id"), primary_key=True, index=True),
)


class FeedbackTag(Base):
    __tablename__ = "feedback_tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60), unique=True)


class CodesignSession(Base):
    """A living-lab session; its suggestions become feedback items."""

    __tablename__ = "codesign_session"
    __table_args__ = (
        sa.CheckConstraint(
            "participants_count >= 0 AND educators_count >= 0 AND patients_public_count >= 0"
            " AND other_professionals_count >= 0",
            name="counts_not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pilot_id: Mapped[int] = mapped_column(sa.ForeignKey("pilot.id"), index=True)
    held_on: Mapped[date]
    title: Mapped[str] = mapped_column(sa.String(200))
    participants_count: Mapped[int] = mapped_column(default=0)
    educators_count: Mapped[int] = mapped_column(default=0)
    patients_public_count: Mapped[int] = mapped_column(default=0)
    other_professionals_count: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    notes_redacted: Mapped[str | None] = mapped_column(sa.Text)
    has_redactions: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    redaction_stamp: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    pilot: Mapped[Pilot] = relationship()


class AttendeeKind(enum.StrEnum):
    """The kinds of people a session counts (one count column on the session each)."""

    PARTICIPANT = "participant"
    EDUCATOR = "educator"
    PATIENT_PUBLIC = "patient_public"
    OTHER = "other"


class CodesignAttendee(Base):
    """Someone listed by name or role at a session. The session's counts stay the
    headcount (people may come without being listed); a listed patient or member of the
    public can be a recorded public contributor, whose display name is then shown."""

    __tablename__ = "codesign_attendee"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "contributor_id"),
        sa.CheckConstraint(
            "contributor_id IS NULL OR kind = 'patient_public'", name="contributor_is_public"
        ),
        sa.CheckConstraint(
            "contributor_id IS NOT NULL OR description IS NOT NULL", name="says_who"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("codesign_session.id"), index=True)
    kind: Mapped[AttendeeKind] = mapped_column(enum_column(AttendeeKind, "kind"))
    contributor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("public_contributor.id"), index=True
    )
    description: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[CodesignSession] = relationship()
    contributor: Mapped[PublicContributor | None] = relationship()
