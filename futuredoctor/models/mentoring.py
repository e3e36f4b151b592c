"""Mentoring: a mentor's offer (capacity, focus, format) and the pairings made from it.

``MentorOffer.places_taken`` counts active pairings and only ever moves through one
conditional UPDATE (``places_taken < capacity``), so concurrent acceptances can never
take more places than the mentor offered, on SQLite or PostgreSQL.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from futuredoctor.models.base import Base, enum_column, utcnow
from futuredoctor.models.user import User

MAX_CAPACITY = 20


class MentoringFormat(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    EITHER = "either"


class PairingStatus(enum.StrEnum):
    REQUESTED = "requested"
    ACTIVE = "active"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    ENDED = "ended"


OPEN_STATUSES = ("requested", "active")
OPEN = "status IN ('requested', 'active')"


class MentorOffer(Base):
    __tablename__ = "mentor_offer"
    __table_args__ = (
        sa.CheckConstraint(f"capacity BETWEEN 1 AND {MAX_CAPACITY}", name="capacity_range"),
        sa.CheckConstraint("places_taken >= 0 AND places_taken <= capacity", name="places"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), unique=True)
    capacity: Mapped[int]
    places_taken: Mapped[int] = mapped_column(default=0)
    # Focus codes: GPC domains ("GPC5"), subcompetencies ("ETP7"), "careers", "leadership",
    # "local" (local priorities).
    focus: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    format: Mapped[MentoringFormat] = mapped_column(enum_column(MentoringFormat, "format"))
    about: Mapped[str] = mapped_column(sa.Text, default="")
    is_open: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    mentor: Mapped[User] = relationship(lazy="joined")


class Mentorship(Base):
    """A request that became (or did not become) a pairing."""

    __tablename__ = "mentorship"
    __table_args__ = (
        # One open request or pairing per mentor and mentee.
        sa.Index(
            "uq_mentorship_open_pair",
            "offer_id",
            "mentee_id",
            unique=True,
            sqlite_where=sa.text(OPEN),
            postgresql_where=sa.text(OPEN),
        ),
        sa.CheckConstraint("mentor_id <> mentee_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("mentor_offer.id"), index=True)
    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    mentee_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    status: Mapped[PairingStatus] = mapped_column(
        enum_column(PairingStatus, "pairing_status"), default=PairingStatus.REQUESTED
    )
    message: Mapped[str] = mapped_column(sa.Text, default="")
    response_note: Mapped[str] = mapped_column(sa.Text, default="")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    responded_at: Mapped[datetime | None]
    agreement_goals: Mapped[str] = mapped_column(sa.Text, default="")
    agreement_frequency: Mapped[str] = mapped_column(sa.String(200), default="")
    agreed_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    mentor_feedback: Mapped[str] = mapped_column(sa.Text, default="")  # given by the mentor
    mentee_feedback: Mapped[str] = mapped_column(sa.Text, default="")  # given by the mentee

    offer: Mapped[MentorOffer] = relationship()
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
    mentee: Mapped[User] = relationship(foreign_keys=[mentee_id])
    meetings: Mapped[list[MentoringMeeting]] = relationship(
        back_populates="mentorship", order_by="MentoringMeeting.met_on.desc()"
    )

    def includes(self, user_id: int) -> bool:
        return user_id in (self.mentor_id, self.mentee_id)


class MentoringMeeting(Base):
    """A meeting logged by either side; only the pair ever sees it."""

    __tablename__ = "mentoring_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(sa.ForeignKey("mentorship.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    met_on: Mapped[date]
    notes: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    mentorship: Mapped[Mentorship] = relationship(back_populates="meetings")
    author: Mapped[User] = relationship()
