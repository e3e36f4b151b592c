"""The append-only record of every evaluation export."""

from __future__ import annotations

from datetime import date, datetime
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


class EvaluationProject(Base):
    """An approved evaluation: its scope, dates and its own pseudonymisation key.

    The key itself is never stored: it is derived from the study secret (held outside the
    database) and this project's random ``key_salt``, so pseudonyms are stable within a
    project and unlinkable across projects, and a copy of the database alone reverses none.
    """

    __tablename__ = "evaluation_project"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    approval_reference: Mapped[str] = mapped_column(sa.String(100))
    scopes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # "region:LON", "pilot:x"
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    key_salt: Mapped[str] = mapped_column(sa.String(64))
    key_fingerprint: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    access: Mapped[list[EvaluationAccess]] = relationship(
        back_populates="project", order_by="EvaluationAccess.id"
    )


class EvaluationAccess(Base):
    """An evaluator's grant attached to a project; participant-level data only when the
    grant says so, with the approval (ethics or data-sharing agreement) that allows it."""

    __tablename__ = "evaluation_access"
    __table_args__ = (sa.UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_project.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    participant_level: Mapped[bool] = mapped_column(default=False)
    approval_reference: Mapped[str | None] = mapped_column(sa.String(100))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    project: Mapped[EvaluationProject] = relationship(back_populates="access")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
