"""Feedback statuses, their labels and which moves between them are allowed.

The flow runs forwards (received → under review → planned → in progress); any open item
may be declined with a reason, and a declined item may be reopened for review. "Done" is
reached only by publishing a version that addresses the item, so every done item names
the version that acted on it.
"""

from __future__ import annotations

from futuredoctor.models import FeedbackItem, FeedbackSource, FeedbackStatus
from futuredoctor.refusals import Refusal

STATUS_LABELS = {
    FeedbackStatus.RECEIVED: "Received",
    FeedbackStatus.UNDER_REVIEW: "Under review",
    FeedbackStatus.PLANNED: "Planned",
    FeedbackStatus.IN_PROGRESS: "In progress",
    FeedbackStatus.DONE: "Done",
    FeedbackStatus.DECLINED: "Declined",
}
STATUS_COLOURS = {
    FeedbackStatus.RECEIVED: "blue",
    FeedbackStatus.UNDER_REVIEW: "purple",
    FeedbackStatus.PLANNED: "yellow",
    FeedbackStatus.IN_PROGRESS: "orange",
    FeedbackStatus.DONE: "green",
    FeedbackStatus.DECLINED: "grey",
}
SOURCE_LABELS = {
    FeedbackSource.PARTICIPANT: "Participant",
    FeedbackSource.CODESIGN_SESSION: "Co-design session",
    FeedbackSource.EDUCATOR: "Educator",
    FeedbackSource.PATIENT_PUBLIC: "Patient or public member",
}
FORWARD = [
    FeedbackStatus.RECEIVED,
    FeedbackStatus.UNDER_REVIEW,
    FeedbackStatus.PLANNED,
    FeedbackStatus.IN_PROGRESS,
]
OPEN_STATUSES = frozenset(FORWARD)
# Statuses a person may choose by hand (done comes from publishing a version).
MANUAL_TARGETS = [*FORWARD[1:], FeedbackStatus.DECLINED]
MAX_REASON = 2000


def label(status: FeedbackStatus | str) -> str:
    return STATUS_LABELS[FeedbackStatus(status)]


def allowed_targets(current: FeedbackStatus) -> list[FeedbackStatus]:
    """The statuses an item in ``current`` may move to by hand."""
    if current is FeedbackStatus.DONE:
        return []
    if current is FeedbackStatus.DECLINED:
        return [FeedbackStatus.UNDER_REVIEW]
    later = FORWARD[FORWARD.index(current) + 1 :]
    return [*later, FeedbackStatus.DECLINED]


def item_name(item: FeedbackItem, words: int = 8) -> str:
    """How people recognise a feedback item: its first words, not its number."""
    text = " ".join((item.text or "").split())
    if not text:
        return f"Ratings without a comment (no. {item.id})"
    parts = text.split(" ")
    return "“" + " ".join(parts[:words]) + ("…" if len(parts) > words else "") + "”"


def check_transition(item: FeedbackItem, target: FeedbackStatus, note: str | None) -> None:
    """Raise ``Refusal`` unless ``item`` may move to ``target`` with this note."""
    name = f"Feedback {item.id}"
    if target is FeedbackStatus.DONE:
        raise Refusal(
            "status",
            f"{name} cannot be marked done by hand: it becomes done when you publish a new "
            "version of the module that addresses it",
        )
    if item.status is target:
        raise Refusal("status", f"{name} is already {label(target).lower()}")
    if item.status is FeedbackStatus.DONE:
        raise Refusal(
            "status",
            f"{name} is done: a published version addressed it, so its status cannot change",
        )
    if target not in allowed_targets(item.status):
        choices = ", ".join(label(s).lower() for s in allowed_targets(item.status))
        raise Refusal(
            "status",
            f"{name} is {label(item.status).lower()}; it can only move to {choices}",
        )
    if target is FeedbackStatus.DECLINED and not (note or "").strip():
        raise Refusal("note", "Enter the reason for declining this feedback")
