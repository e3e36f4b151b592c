"""Changing feedback statuses and tags. Every change adds a dated timeline entry saying
who made it and why; services flush, the request door commits."""

from __future__ import annotations

import re
from collections.abc import Iterable

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.livinglab.workflow import check_transition
from futuredoctor.models import (
    FeedbackItem,
    FeedbackSource,
    FeedbackStatus,
    FeedbackStatusChange,
    FeedbackTag,
    User,
    utcnow,
)
from futuredoctor.notifications.outbox import queue
from futuredoctor.refusals import Refusal

TAG_MAX = 60
MAX_TAGS_PER_ITEM = 20
_TAG_PATTERN = re.compile(r"^[\w][\w '&/+-]*$")


def change_status(
    item: FeedbackItem, target: FeedbackStatus, note: str | None, actor: User
) -> FeedbackStatusChange:
    """Move ``item`` to ``target`` or raise ``Refusal``; adds a timeline entry."""
    note = (note or "").strip() or None
    check_transition(item, target, note)
    item.status = target
    item.status_reason = note if target is FeedbackStatus.DECLINED else None
    change = FeedbackStatusChange(
        feedback_item=item, status=target, note=note, changed_by_id=actor.id, changed_at=utcnow()
    )
    db.session.add(change)
    db.session.flush()
    _tell_contributor(item, target, note)
    return change


DECISIONS = {
    FeedbackStatus.PLANNED: "Educators plan to act on your feedback in a future version.",
    FeedbackStatus.DECLINED: "Educators decided not to act on your feedback this time.",
}


def _tell_contributor(item: FeedbackItem, target: FeedbackStatus, note: str | None) -> None:
    """Participants who asked to hear back are told of decisions (planned, declined)."""
    if target not in DECISIONS or not item.notify_on_action or item.enrolment is None:
        return
    if item.source is not FeedbackSource.PARTICIPANT:
        return
    body = DECISIONS[target]
    if target is FeedbackStatus.DECLINED and note:
        body += f" Their reason: {note}"
    queue(
        kind="feedback_decision",
        recipient_id=item.enrolment.user_id,
        subject_key=f"feedback:{item.id}:{target.value}",
        title=f"Your feedback on “{item.module_version.title}”",
        body=body,
        payload={
            "feedback_item_id": item.id,
            "status": target.value,
            "module_slug": item.module_version.module.slug,
            "module_title": item.module_version.title,
        },
    )


def change_many(
    items: Iterable[FeedbackItem], target: FeedbackStatus, note: str | None, actor: User
) -> tuple[list[FeedbackItem], list[str]]:
    """Change every item that may move; returns the changed ones and a refusal per other."""
    changed: list[FeedbackItem] = []
    refused: list[str] = []
    for item in items:
        try:
            change_status(item, target, note, actor)
        except Refusal as refusal:
            if refusal.field == "note":
                raise
            refused.append(refusal.message)
        else:
            changed.append(item)
    return changed, refused


def normalise_tag(raw: str) -> str:
    """Lower-case, single-spaced; raises ``Refusal`` on the tags field if unusable."""
    name = " ".join(raw.split()).lower()
    if not name:
        raise Refusal("tags", "Enter a tag")
    if len(name) > TAG_MAX:
        raise Refusal(
            "tags", f"Tag “{name[:20]}…” must be {TAG_MAX} characters or fewer"
        )
    if not _TAG_PATTERN.match(name):
        raise Refusal(
            "tags", f"Tag “{name}” can only contain letters, numbers, spaces and - ' & / +"
        )
    return name


def parse_tags(raw: str) -> list[str]:
    """Comma-separated tag names, normalised and de-duplicated, in the order given."""
    names: list[str] = []
    for part in raw.split(","):
        if part.strip():
            name = normalise_tag(part)
            if name not in names:
                names.append(name)
    if not names:
        raise Refusal("tags", "Enter at least one tag")
    return names


def tags_named(names: list[str]) -> list[FeedbackTag]:
    """The tags with these names, creating any that do not exist yet."""
    existing = {
        tag.name: tag
        for tag in db.session.scalars(sa.select(FeedbackTag).where(FeedbackTag.name.in_(names)))
    }
    for name in names:
        if name not in existing:
            existing[name] = FeedbackTag(name=name)
            db.session.add(existing[name])
    db.session.flush()
    return [existing[name] for name in names]


def add_tags(item: FeedbackItem, names: list[str]) -> list[str]:
    """Tag ``item``; returns the names newly added (already present ones are skipped)."""
    current = {tag.name for tag in item.tags}
    new = [name for name in names if name not in current]
    if len(current) + len(new) > MAX_TAGS_PER_ITEM:
        raise Refusal("tags", f"An item can have at most {MAX_TAGS_PER_ITEM} tags")
    item.tags.extend(tags_named(new))
    db.session.flush()
    return new


def remove_tag(item: FeedbackItem, tag_id: int) -> str | None:
    """Untag ``item``; the tag itself stays for other items. None if it was not there."""
    for tag in list(item.tags):
        if tag.id == tag_id:
            item.tags.remove(tag)
            db.session.flush()
            return tag.name
    return None
