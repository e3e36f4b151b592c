"""Patients and members of the public who help shape a pilot's modules.

A public contributor has no account: a lead educator records them under a display name or
pseudonym, with how they take part and whether they agreed to be named in credits. Their
feedback and their presence at co-design sessions link back to this record, so credits
follow their current wishes and nothing ever needs their real name.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from futuredoctor.models.base import Base, enum_column, utcnow
from futuredoctor.models.region import Pilot


class Involvement(enum.StrEnum):
    """How a public contributor takes part (a fixed list, so pilots can be compared)."""

    CODESIGN = "codesign"
    CONTENT_REVIEW = "content_review"
    FEEDBACK = "feedback"
    ADVISORY_GROUP = "advisory_group"
    TEACHING = "teaching"


INVOLVEMENT_LABELS = {
    Involvement.CODESIGN: "Co-design sessions",
    Involvement.CONTENT_REVIEW: "Reviewing module content",
    Involvement.FEEDBACK: "Giving feedback on modules",
    Involvement.ADVISORY_GROUP: "Patient and public advisory group",
    Involvement.TEACHING: "Sharing their experience in teaching",
}


class PublicContributor(Base):
    """A patient or member of the public recorded by a pilot; retired, never deleted,
    once feedback or a session attendance refers to them."""

    __tablename__ = "public_contributor"
    __table_args__ = (sa.Index("ix_public_contributor_pilot_name", "pilot_id", "display_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pilot_id: Mapped[int] = mapped_column(sa.ForeignKey("pilot.id"))
    display_name: Mapped[str] = mapped_column(sa.String(100))
    credit_consent: Mapped[bool] = mapped_column(default=False)
    # The day they said yes or no to being named, as they told the educator.
    credit_consent_on: Mapped[date]
    notes: Mapped[str | None] = mapped_column(sa.Text)
    retired_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    pilot: Mapped[Pilot] = relationship()
    involvements: Mapped[list[ContributorInvolvement]] = relationship(
        cascade="all, delete-orphan", order_by="ContributorInvolvement.kind"
    )

    @property
    def kinds(self) -> list[Involvement]:
        return [i.kind for i in self.involvements]


class ContributorInvolvement(Base):
    __tablename__ = "contributor_involvement"

    contributor_id: Mapped[int] = mapped_column(
        sa.ForeignKey("public_contributor.id"), primary_key=True
    )
    kind: Mapped[Involvement] = mapped_column(enum_column(Involvement, "kind"), primary_key=True)
