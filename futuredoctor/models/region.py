"""Regions, their pilots and the pilots' cohorts: the scope every permission is cut from."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from futuredoctor.models.base import Base, utcnow


class Region(Base):
    """One of the seven NHS England regions."""

    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(8), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    priorities: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    pilots: Mapped[list[Pilot]] = relationship(
        back_populates="region", order_by="Pilot.name", cascade="all, delete-orphan"
    )


class Pilot(Base):
    """A region's pilot programme, run by a lead educator with administrative support."""

    __tablename__ = "pilot"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("region.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    start_date: Mapped[date]

    region: Mapped[Region] = relationship(back_populates="pilots")
    cohorts: Mapped[list[Cohort]] = relationship(
        back_populates="pilot", order_by="Cohort.starts_on", cascade="all, delete-orphan"
    )


class Cohort(Base):
    """A group of participants who start a pilot together; capacity caps enrolment."""

    __tablename__ = "cohort"
    __table_args__ = (
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("enrolment_closes >= enrolment_opens", name="enrolment_window"),
        sa.CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pilot_id: Mapped[int] = mapped_column(sa.ForeignKey("pilot.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    capacity: Mapped[int]
    enrolment_opens: Mapped[date]
    enrolment_closes: Mapped[date]
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    eligible_professional_groups: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    eligible_career_stages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # People by enrolment status: the database keeps them (migration 0034's trigger on
    # enrolment, in the same statement as each change); the application only reads them.
    enrolled_count: Mapped[int] = mapped_column(server_default="0")
    waitlisted_count: Mapped[int] = mapped_column(server_default="0")
    invited_count: Mapped[int] = mapped_column(server_default="0")
    withdrawn_count: Mapped[int] = mapped_column(server_default="0")

    pilot: Mapped[Pilot] = relationship(back_populates="cohorts")
