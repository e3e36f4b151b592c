"""The append-only log of security-relevant actions (logins, grants, exports...)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from futuredoctor.models.base import Base, utcnow
from futuredoctor.models.user import User


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_action_time", "action", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60))
    target_type: Mapped[str | None] = mapped_column(sa.String(40))
    target_id: Mapped[str | None] = mapped_column(sa.String(64))
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # The request (or scheduler job) that wrote it, as in the logs' request_id.
    request_id: Mapped[str | None] = mapped_column(sa.String(36))

    actor: Mapped[User | None] = relationship()
