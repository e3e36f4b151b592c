"""The append-only record of every evaluation export."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from futuredoctor.models.base import Base, utcnow
from futuredoctor.models.user import User


class ExportRecord(Base):
    __tablename__ = "export_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    channel: Mapped[str] = mapped_column(sa.String(8))
    scope: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    options: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    row_counts: Mapped[dict[str, int]] = mapped_column(sa.JSON, default=dict)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    request_id: Mapped[str | None] = mapped_column(sa.String(36))  # as in the request log

    user: Mapped[User] = relationship()
