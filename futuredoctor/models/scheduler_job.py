"""When each scheduler job last succeeded, so any web process can report it as a metric."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from futuredoctor.models.base import Base


class SchedulerJobRun(Base):
    """One row per job name, updated after each run by whichever scheduler ran it."""

    __tablename__ = "scheduler_job_run"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    last_succeeded_at: Mapped[datetime | None] = mapped_column()
    last_failed_at: Mapped[datetime | None] = mapped_column()
