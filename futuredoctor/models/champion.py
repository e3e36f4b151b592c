"""Champion profiles: how a generalist-skilled clinician presents themselves to colleagues
(and, if they choose, to the wider system), and the messages people send them through the
platform instead of an email address."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from futuredoctor.models.base import Base, enum_column, utcnow
from futuredoctor.models.region import Region
from futuredoctor.models.user import User


class ProfileVisibility(enum.StrEnum):
    SIGNED_IN = "signed_in"  # listed to anyone signed in to the platform
    PUBLIC = "public"  # also listed to people not signed in (the wider system)


class ChampionOffer(enum.StrEnum):
    TALKS = "talks"
    TASTER_SESSIONS = "taster_sessions"
    SHADOWING = "shadowing"
    MENTORING = "mentoring"
    CAREERS_ADVICE = "careers_advice"

    @property
    def label(self) -> str:
        return OFFER_LABELS[self]


OFFER_LABELS = {
    ChampionOffer.TALKS: "Talks",
    ChampionOffer.TASTER_SESSIONS: "Taster sessions",
    ChampionOffer.SHADOWING: "Shadowing",
    ChampionOffer.MENTORING: "Mentoring",
    ChampionOffer.CAREERS_ADVICE: "Advice on careers",
}


class InterestKind(enum.StrEnum):
    DOMAIN = "domain"  # a GPC domain code, e.g. GPC5
    PRIORITY = "priority"  # one of the region's local health priorities, as written there
    OFFER = "offer"  # a ChampionOffer value


SEARCH_TEXT = "lower(profession || '\n' || job_title || '\n' || about || '\n' || availability)"


class ChampionProfile(Base):
    """One per champion. The name shown is the account's; no email address is ever shown."""

    __tablename__ = "champion_profile"
    # A search for a rarer word finds its few profiles by trigram (migration 0031).
    __table_args__ = (
        sa.Index(
            "ix_champion_profile_search_text",
            sa.text("search_text gin_trgm_ops"),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), unique=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("region.id"), index=True)
    profession: Mapped[str] = mapped_column(sa.String(100))
    job_title: Mapped[str] = mapped_column(sa.String(200))
    about: Mapped[str] = mapped_column(sa.Text, default="")
    availability: Mapped[str] = mapped_column(sa.String(500), default="")
    visibility: Mapped[ProfileVisibility] = mapped_column(
        enum_column(ProfileVisibility, "profile_visibility"), default=ProfileVisibility.SIGNED_IN
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # What the directory's search reads: the four text fields lower-cased once, when the
    # profile is written, instead of at every search (lower-casing every profile's fields
    # was most of a search's time at 2,000 champions). One field to a line (migration 0031).
    search_text: Mapped[str] = mapped_column(
        sa.Text, sa.Computed(SEARCH_TEXT, persisted=True), deferred=True
    )

    user: Mapped[User] = relationship()
    region: Mapped[Region] = relationship()
    interests: Mapped[list[ChampionInterest]] = relationship(
        back_populates="profile",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="ChampionInterest.id",
    )

    def values(self, kind: InterestKind) -> list[str]:
        return [i.value for i in self.interests if i.kind is kind]

    @property
    def domains(self) -> list[str]:
        return self.values(InterestKind.DOMAIN)

    @property
    def priorities(self) -> list[str]:
        return self.values(InterestKind.PRIORITY)

    @property
    def offers(self) -> list[str]:
        return self.values(InterestKind.OFFER)


class ChampionInterest(Base):
    """A GPC domain, local priority or offer on a profile: a row each, so the directory
    filters with an indexed ``EXISTS`` on either database rather than searching JSON."""

    __tablename__ = "champion_interest"
    __table_args__ = (
        sa.UniqueConstraint("profile_id", "kind", "value"),
        sa.Index("ix_champion_interest_kind_value", "kind", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("champion_profile.id", ondelete="CASCADE")
    )
    kind: Mapped[InterestKind] = mapped_column(enum_column(InterestKind, "interest_kind"))
    value: Mapped[str] = mapped_column(sa.String(200))

    profile: Mapped[ChampionProfile] = relationship(back_populates="interests")


class ChampionMessage(Base):
    """A message sent to a champion through the platform. Kept so sending can be limited
    per sender (counted here, so every web worker counts the same) and so the champion's
    home can list what reached them."""

    __tablename__ = "champion_message"
    __table_args__ = (sa.Index("ix_champion_message_sender_sent", "sender_id", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("champion_profile.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(sa.Text)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    sender: Mapped[User] = relationship(foreign_keys=[sender_id])
    profile: Mapped[ChampionProfile] = relationship()
