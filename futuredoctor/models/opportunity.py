"""Opportunities champions and lead educators publish (talks, taster days, shadowing...),
who they are for, and the people registered or waiting for a place.

``places_taken`` is the number of registrations holding a place (registered or attended),
kept by conditional updates (``places_taken < capacity``) so concurrent registrations
never take more places than there are, on either database."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from futuredoctor import clock
from futuredoctor.models.base import Base, enum_column, utcnow
from futuredoctor.models.region import Region
from futuredoctor.models.user import User


class OpportunityKind(enum.StrEnum):
    EVENT = "event"
    WEBINAR = "webinar"
    TASTER_DAY = "taster_day"
    SHADOWING = "shadowing"
    PLACEMENT = "placement"
    TALK = "talk"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class AudienceKind(enum.StrEnum):
    REGION = "region"  # a region code
    PROFESSIONAL_GROUP = "professional_group"  # a ProfessionalGroup value
    CAREER_STAGE = "career_stage"  # one of CAREER_STAGES


class RegistrationStatus(enum.StrEnum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ATTENDED = "attended"


HOLDS_PLACE = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)


class Opportunity(Base):
    __tablename__ = "opportunity"
    __table_args__ = (
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("places_taken >= 0 AND places_taken <= capacity", name="places_fit"),
        sa.CheckConstraint("ends_at > starts_at", name="times_ordered"),
        sa.CheckConstraint("closes_at <= starts_at", name="closes_before_start"),
        sa.Index("ix_opportunity_starts_at", "starts_at"),
        # The lists of those still to end read only them (migration 0035).
        sa.Index("ix_opportunity_ends_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("region.id"), index=True)
    kind: Mapped[OpportunityKind] = mapped_column(enum_column(OpportunityKind, "opportunity_kind"))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    location: Mapped[str] = mapped_column(sa.String(500))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    capacity: Mapped[int]
    places_taken: Mapped[int] = mapped_column(default=0)
    is_public: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organiser: Mapped[User] = relationship()
    region: Mapped[Region] = relationship()
    audience: Mapped[list[OpportunityAudience]] = relationship(
        back_populates="opportunity",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="OpportunityAudience.id",
    )

    def audience_values(self, kind: AudienceKind) -> list[str]:
        return [a.value for a in self.audience if a.kind is kind]

    @property
    def last_moment_to_register(self) -> datetime:
        """For people: a close at local midnight reads as 23:59 on the closing day."""
        local = self.closes_at.astimezone(clock.local_zone())
        if (local.hour, local.minute) == (0, 0):
            return self.closes_at - timedelta(minutes=1)
        return self.closes_at

    @property
    def places_left(self) -> int:
        return self.capacity - self.places_taken


class OpportunityAudience(Base):
    """Who an opportunity is for: no row of a kind means "everyone" for that kind."""

    __tablename__ = "opportunity_audience"
    __table_args__ = (
        sa.UniqueConstraint("opportunity_id", "kind", "value"),
        sa.Index("ix_opportunity_audience_kind_value", "kind", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(sa.ForeignKey("opportunity.id", ondelete="CASCADE"))
    kind: Mapped[AudienceKind] = mapped_column(enum_column(AudienceKind, "audience_kind"))
    value: Mapped[str] = mapped_column(sa.String(32))

    opportunity: Mapped[Opportunity] = relationship(back_populates="audience")


class Registration(Base):
    """One person's place (or place in the queue) on an opportunity; one row per person,
    so a double click cannot register twice."""

    __tablename__ = "opportunity_registration"
    __table_args__ = (
        sa.UniqueConstraint("opportunity_id", "user_id"),
        sa.Index("ix_opportunity_registration_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(sa.ForeignKey("opportunity.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    status: Mapped[RegistrationStatus] = mapped_column(
        enum_column(RegistrationStatus, "registration_status")
    )
    # The waiting list's order: when the person (last) asked for a place.
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)

    opportunity: Mapped[Opportunity] = relationship()
    user: Mapped[User] = relationship()


class CalendarFeed(Base):
    """A person's private calendar feed address. Only a hash of the token is kept; revoking
    stamps ``revoked_at`` and a new feed gets a new token."""

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
