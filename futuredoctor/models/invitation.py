"""Invitations to accept an enrolment, and self-service requests to join a cohort."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from futuredoctor.models.base import Base, enum_column, utcnow
from futuredoctor.models.enrolment import Enrolment
from futuredoctor.models.region import Cohort
from futuredoctor.models.user import User


class Invitation(Base):
    """One invitation link. The emailed token is signed and names this row; the row makes
    it single-use (``accepted_at``) and revocable (a newer invitation supersedes it)."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolment.id"), index=True)
    nonce: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    superseded_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    enrolment: Mapped[Enrolment] = relationship()


class JoinRequestStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class JoinRequest(Base):
    """Someone asking for a place in a cohort; a pilot administrator decides."""

    __tablename__ = "join_request"
    __table_args__ = (sa.Index("ix_join_request_cohort_status", "cohort_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    given_name: Mapped[str] = mapped_column(sa.String(100))
    family_name: Mapped[str] = mapped_column(sa.String(100))
    professional_group: Mapped[str] = mapped_column(sa.String(32))
    registration_body: Mapped[str | None] = mapped_column(sa.String(8))
    registration_number: Mapped[str | None] = mapped_column(sa.String(16))
    career_stage: Mapped[str | None] = mapped_column(sa.String(16))
    employer: Mapped[str | None] = mapped_column(sa.String(200))
    message: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[JoinRequestStatus] = mapped_column(
        enum_column(JoinRequestStatus, "status"), default=JoinRequestStatus.PENDING
    )
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cohort: Mapped[Cohort] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class ClosureOutcome(enum.StrEnum):
    CLOSED = "closed"
    KEPT_OPEN = "kept_open"


class AccountClosureRequest(Base):
    """A participant's request to close their account, handled by a national admin."""

    __tablename__ = "account_closure_request"
    __table_args__ = (
        # One pending request per person: a double-click or a second tab cannot add another.
        sa.Index(
            "uq_account_closure_request_pending",
            "user_id",
            unique=True,
            sqlite_where=sa.text("processed_at IS NULL"),
            postgresql_where=sa.text("processed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
    processed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    outcome: Mapped[str | None] = mapped_column(sa.String(16))  # ClosureOutcome, once handled
    note: Mapped[str | None] = mapped_column(sa.Text)  # the admin's words to the person

    user: Mapped[User] = relationship(foreign_keys=[user_id])
