"""Stored results of the aggregate queries behind the dashboards (``futuredoctor.summaries``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from futuredoctor.models.base import Base


class SummarySnapshot(Base):
    """One aggregate (``kind``) for one scope (``key``: a region code, a module id, "all"),
    as it stood at ``refreshed_at``. Only counts and sums across many people are stored,
    never a page or anything about one person."""

    __tablename__ = "summary_snapshot"
    __table_args__ = (sa.UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    key: Mapped[str] = mapped_column(sa.String(80))
    payload: Mapped[Any] = mapped_column(sa.JSON)
    refreshed_at: Mapped[datetime]
