"""A participant's feedback on the module version they take: one item per version and
enrolment, editable until an educator starts acting on it."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.learning.journey import JourneyEntry, entry_for
from futuredoctor.models import FeedbackItem, FeedbackSource, FeedbackStatus, User
from futuredoctor.query_plans import one_plan_for_any_values
from futuredoctor.refusals import Refusal

FEEDBACK_TEXT_MAX = 5_000
RATING_FIELDS = ("relevance", "quality", "applicability")

STATUS_LABELS = {
    FeedbackStatus.RECEIVED: "Received",
    FeedbackStatus.UNDER_REVIEW: "Under review",
    FeedbackStatus.PLANNED: "Change planned",
    FeedbackStatus.IN_PROGRESS: "Change in progress",
    FeedbackStatus.DONE: "Acted on",
    FeedbackStatus.DECLINED: "Not taken forward",
}


@dataclass(frozen=True)
class FeedbackAnswers:
    relevance: int
    quality: int
    applicability: int
    text: str | None
    notify_on_action: bool


_GIVEN = sa.select(FeedbackItem).where(
    FeedbackItem.module_version_id == sa.bindparam("version_id"),
    FeedbackItem.enrolment_id == sa.bindparam("enrolment_id"),
)


def feedback_for(entry: JourneyEntry) -> FeedbackItem | None:
    """The participant's feedback on the version they take, if they gave some (a statement
    built once: the module page asks on every visit)."""
    params = {"version_id": entry.version.id, "enrolment_id": entry.enrolment.id}
    return db.session.scalar(_GIVEN, params)


def entry_and_feedback(user: User, slug: str) -> tuple[JourneyEntry | None, FeedbackItem | None]:
    """The module as the participant takes it and their feedback on that version: the
    person's own rows, found by their id and the module's slug, so their plan is the same
    for everyone and kept between visits (the module page reads them on every one)."""
    with one_plan_for_any_values():
        entry = entry_for(user, slug)
        return entry, feedback_for(entry) if entry is not None else None


def is_editable(item: FeedbackItem | None) -> bool:
    """Editable while nobody has started acting on it, so educators never triage a moving
    target and the "you said, we did" trail stays true to what was said."""
    return item is None or item.status is FeedbackStatus.RECEIVED


def check_answers(answers: FeedbackAnswers) -> None:
    """Refuse out-of-range ratings and oversized text before anything is written."""
    for name in RATING_FIELDS:
        value = getattr(answers, name)
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise Refusal(name, f"Choose a rating from 1 to 5 for {name}")
    if answers.text is not None and len(answers.text) > FEEDBACK_TEXT_MAX:
        raise Refusal(
            "text",
            f"Comments must be {FEEDBACK_TEXT_MAX:,} characters or fewer "
            f"(they have {len(answers.text):,})",
        )


def save_feedback(entry: JourneyEntry, answers: FeedbackAnswers) -> tuple[FeedbackItem, bool]:
    """Create or update the item; returns it and whether it was new."""
    check_answers(answers)
    item = feedback_for(entry)
    if not is_editable(item):
        raise Refusal(
            "relevance",
            "Your feedback is already being acted on, so it can no longer be changed",
        )
    created = item is None
    if item is None:
        item = FeedbackItem(
            module_version_id=entry.version.id,
            enrolment_id=entry.enrolment.id,
            source=FeedbackSource.PARTICIPANT,
            status=FeedbackStatus.RECEIVED,
        )
        db.session.add(item)
    item.relevance = answers.relevance
    item.quality = answers.quality
    item.applicability = answers.applicability
    item.text = answers.text
    item.notify_on_action = answers.notify_on_action
    db.session.flush()  # a concurrent duplicate fails here, on the unique constraint
    return item, created
