"""The k-anonymity check's summary of a participant-level package's dates
(``futuredoctor.evaluation.dated_summary``): how many distinct consenting participants each
cohort × professional group × career stage has on each UK day and in each month of each
date column, kept per cohort and recounted when the cohort's facts change."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from futuredoctor.models.base import Base


class DatedPeople(Base):
    """One cell: the number of distinct consenting participants of ``cohort_id`` with
    ``professional_group`` and ``career_stage`` (as the package shows them) who have a
    date in ``date_column`` (numbered as ``dated_summary.DATE_COLUMNS``) shown as at
    ``level`` of the k-anonymity plan: on the UK day ``shown`` (0), in the month starting
    on ``shown`` (1), or the same with the career stage banded (2, the band's name in
    ``career_stage``). A month's people are counted on their own: the sum of its days
    counts someone with two dates in it twice. A band's are the sum of its stages' (each
    person has one stage). Empty cells are not stored."""

    __tablename__ = "dated_people"
    # "Is there a cell under k at this level?" reads the first entry of a range.
    __table_args__ = (sa.Index("ix_dated_people_level_people", "level", "people"),)

    cohort_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True
    )
    date_column: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    professional_group: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    career_stage: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    level: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    shown: Mapped[date] = mapped_column(primary_key=True)
    people: Mapped[int]


class DatedCohort(Base):
    """When a cohort's cells were last counted, and what a package needs to know to use
    them: the earliest and latest UK day of the dates that decide whether a row is in a
    file (progress started or completed, feedback given), and how many progress rows are
    for a release of another cohort (such rows make the cells depend on the scope)."""

    __tablename__ = "dated_cohort"

    cohort_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True
    )
    counted_at: Mapped[datetime]
    first_day: Mapped[date | None]
    last_day: Mapped[date | None]
    other_releases: Mapped[int] = mapped_column(default=0)


class DatedStale(Base):
    """A cohort whose dated facts changed since its cells were counted. Database triggers
    insert these (so bulk loads and plain SQL are caught too); the recount deletes the
    marks it has seen, never one written after it started."""

    __tablename__ = "dated_stale"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(index=True)
