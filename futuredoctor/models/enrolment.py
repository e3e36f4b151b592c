"""Enrolments in cohorts and the versioned research consent that hangs off each one."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from futuredoctor.models.base import Base, enum_column, utcnow
from futuredoctor.models.region import Cohort
from futuredoctor.models.user import User


class EnrolmentStatus(enum.StrEnum):
    INVITED = "invited"
    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"


class Enrolment(Base):
    """A person's place (or waitlist position) in a cohort."""

    __tablename__ = "enrolment"
    __table_args__ = (
        sa.UniqueConstraint("cohort_id", "user_id"),
        sa.Index("ix_enrolment_cohort_status", "cohort_id", "status"),
        sa.Index("ix_enrolment_cohort_name", "cohort_id", "family_key", "given_key", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    status: Mapped[EnrolmentStatus] = mapped_column(enum_column(EnrolmentStatus, "status"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    enrolled_at: Mapped[datetime | None]
    waitlisted_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    # The person's names lower-cased, for the roster's order by name within a cohort: the
    # database writes them (migration 0033's triggers, on enrolling and on every rename or
    # anonymisation of the account); the application never does.
    family_key: Mapped[str] = mapped_column(sa.Text, server_default="")
    given_key: Mapped[str] = mapped_column(sa.Text, server_default="")

    cohort: Mapped[Cohort] = relationship()
    user: Mapped[User] = relationship()
    consents: Mapped[list[ConsentRecord]] = relationship(
        back_populates="enrolment", order_by="ConsentRecord.recorded_at"
    )


class ConsentStatement(Base):
    """A published wording of the research consent; records point at the version agreed to."""

    __tablename__ = "consent_statement"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    body: Mapped[str] = mapped_column(sa.Text)
    effective_from: Mapped[datetime] = mapped_column(default=utcnow)


class ConsentRecord(Base):
    """One decision (given or withdrawn); the newest record per enrolment is the current one.

    Records are only ever added, so the history of every change of mind is kept.
    """

    __tablename__ = "consent_record"
    __table_args__ = (sa.Index("ix_consent_record_enrolment_time", "enrolment_id", "recorded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolment.id"))
    statement_id: Mapped[int] = mapped_column(sa.ForeignKey("consent_statement.id"))
    given: Mapped[bool]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrolment: Mapped[Enrolment] = relationship(back_populates="consents")
    statement: Mapped[ConsentStatement] = relationship()
