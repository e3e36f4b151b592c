"""Feedback a member of staff enters on someone's behalf, outside a co-design session.

A patient or member of the public (a recorded contributor or not) or an educator tells a
lead educator what they think of a module; the educator records it so it joins the inbox
with its real source, and "You said, we did" can answer it. It carries no ratings: the
ratings pages compare participants' own answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    FeedbackItem,
    FeedbackSource,
    FeedbackStatus,
    ModuleVersion,
    Pilot,
    PublicContributor,
    Release,
    ReleaseStatus,
    User,
    utcnow,
)
from futuredoctor.refusals import Refusal

# Who a member of staff may speak for.
ON_BEHALF_SOURCES = (FeedbackSource.PATIENT_PUBLIC, FeedbackSource.EDUCATOR)
MAX_TEXT = 2000
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class OnBehalf:
    pilot: Pilot
    version: ModuleVersion
    source: FeedbackSource
    text: str
    contributor: PublicContributor | None = None


def version(version_id: int) -> ModuleVersion:
    """A version the picker offered (so already in the person's scope)."""
    found = db.session.get(ModuleVersion, version_id)
    assert found is not None
    return found


def _released_to(version: ModuleVersion, pilot: Pilot) -> bool:
    stmt = (
        sa.select(Release.id)
        .join(Cohort, Cohort.id == Release.cohort_id)
        .join(ModuleVersion, ModuleVersion.id == Release.module_version_id)
        .where(
            Cohort.pilot_id == pilot.id,
            ModuleVersion.module_id == version.module_id,
            Release.status == ReleaseStatus.SCHEDULED,
        )
    )
    return db.session.scalar(sa.select(sa.exists(stmt))) or False


def _check(entry: OnBehalf) -> None:
    if entry.source not in ON_BEHALF_SOURCES:
        raise Refusal("source", "Choose who the feedback is from")
    if not entry.text.strip():
        raise Refusal("text", "Enter the feedback")
    if len(entry.text) > MAX_TEXT:
        raise Refusal("text", f"Feedback must be {MAX_TEXT:,} characters or fewer")
    if not _released_to(entry.version, entry.pilot):
        raise Refusal(
            "version",
            f"{entry.version.title} has not been released to {entry.pilot.name}: choose one "
            "of the pilot's modules",
        )
    contributor = entry.contributor
    if contributor is None:
        return
    if entry.source is not FeedbackSource.PATIENT_PUBLIC:
        raise Refusal(
            "contributor",
            "Only feedback from a patient or member of the public can name a public "
            "contributor: choose “Not a recorded contributor” or change who it is from",
        )
    if contributor.pilot_id != entry.pilot.id:
        raise Refusal("contributor", f"{contributor.display_name} is recorded for another pilot")
    if contributor.retired_at is not None:
        raise Refusal(
            "contributor",
            f"{contributor.display_name} is retired: reinstate them first to record their feedback",
        )


def _recent_twin(entry: OnBehalf, actor: User) -> FeedbackItem | None:
    """The same feedback entered by the same person a moment ago (a second click)."""
    stmt = sa.select(FeedbackItem).where(
        FeedbackItem.pilot_id == entry.pilot.id,
        FeedbackItem.module_version_id == entry.version.id,
        FeedbackItem.source == entry.source,
        FeedbackItem.text == entry.text,
        FeedbackItem.entered_by_id == actor.id,
        FeedbackItem.created_at >= utcnow() - DOUBLE_SUBMIT_WINDOW,
    )
    contributor_id = entry.contributor.id if entry.contributor else None
    stmt = stmt.where(
        FeedbackItem.contributor_id.is_(None)
        if contributor_id is None
        else FeedbackItem.contributor_id == contributor_id
    )
    return db.session.scalar(stmt.limit(1))


def record(entry: OnBehalf, actor: User) -> tuple[FeedbackItem, bool]:
    """Record the feedback (status received); returns (item, created)."""
    _check(entry)
    twin = _recent_twin(entry, actor)
    if twin is not None:
        return twin, False
    item = FeedbackItem(
        module_version_id=entry.version.id,
        source=entry.source,
        pilot_id=entry.pilot.id,
        contributor_id=entry.contributor.id if entry.contributor else None,
        entered_by_id=actor.id,
        text=entry.text,
        status=FeedbackStatus.RECEIVED,
        notify_on_action=False,
    )
    db.session.add(item)
    db.session.flush()
    return item, True
