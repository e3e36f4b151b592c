"""A participant's progress through one release, with a reflection only they can read."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from futuredoctor.models.base import Base
from futuredoctor.models.enrolment import Enrolment
from futuredoctor.models.release import Release


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

    enrolment: Mapped[Enrolment] = relationship()
    release: Mapped[Release] = relationship()
