"""A module version released to a cohort at a UTC instant.

Whether it is out is derived from the clock (``is_released``), never from a flag a job has
to flip, so participants see content on time even when the scheduler is down.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from futuredoctor.models.base import Base, enum_column, utcnow
from futuredoctor.models.module import ModuleVersion
from futuredoctor.models.region import Cohort


class ReleaseStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    WITHDRAWN = "withdrawn"


class Release(Base):
    __tablename__ = "release"
    __table_args__ = (
        sa.UniqueConstraint("module_version_id", "cohort_id"),
        sa.Index("ix_release_cohort_release_at", "cohort_id", "release_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    module_version_id: Mapped[int] = mapped_column(sa.ForeignKey("module_version.id"))
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id"))
    release_at: Mapped[datetime]
    status: Mapped[ReleaseStatus] = mapped_column(
        enum_column(ReleaseStatus, "status"), default=ReleaseStatus.SCHEDULED
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    notifications_queued_at: Mapped[datetime | None]
    # When queueing its notifications failed: how often, why, and when to try again, so one
    # release that cannot be queued waits its turn instead of blocking every poll.
    notify_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    notify_retry_at: Mapped[datetime | None]
    notify_error: Mapped[str | None] = mapped_column(sa.String(200))

    module_version: Mapped[ModuleVersion] = relationship()
    cohort: Mapped[Cohort] = relationship()

    @hybrid_property
    def is_released(self) -> bool:
        return self.status == ReleaseStatus.SCHEDULED and self.release_at <= utcnow()

    @is_released.inplace.expression
    @classmethod
    def _is_released_expression(cls) -> sa.ColumnElement[bool]:
        return sa.and_(
            cls.status == ReleaseStatus.SCHEDULED,
            cls.release_at <= sa.bindparam("now", callable_=utcnow, type_=cls.release_at.type),
        )
