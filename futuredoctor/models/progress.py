"""A participant's progress through one release, with a reflection only they can read, and
how its completion is evidenced: self-declared, or an attendance register signed off by
the person who ran the session."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from futuredoctor.models.base import Base, utcnow
from futuredoctor.models.enrolment import Enrolment
from futuredoctor.models.release import Release
from futuredoctor.models.user import User


class CompletionMethod(enum.StrEnum):
    SELF_DECLARED = "self_declared"
    ATTENDANCE = "attendance"  # signed off on the session's attendance register


class Progress(Base):
    __tablename__ = "progress"
    __table_args__ = (
        sa.UniqueConstraint("enrolment_id", "release_id"),
        sa.Index("ix_progress_release_id", "release_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolment.id"))
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("release.id"))
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    reflection: Mapped[str | None] = mapped_column(sa.Text)
    reflection_updated_at: Mapped[datetime | None]
    # How the completion is evidenced (None while not completed) and who confirmed it.
    completed_how: Mapped[str | None] = mapped_column(sa.String(16))
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    enrolment: Mapped[Enrolment] = relationship()
    release: Mapped[Release] = relationship()
    confirmed_by: Mapped[User | None] = relationship()


class RecordCode(Base):
    """The code printed on a person's completion record, which anyone holding it can check
    on the public verification page. Random, so it cannot be guessed from an id."""

    __tablename__ = "record_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), unique=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
