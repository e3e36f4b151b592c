"""Closing the loop: a new module version records the feedback it acted on, those items
move to done with a timeline entry, and contributors who asked to hear back are told.

Used by the web editor and by ``flask content sync`` (``addresses_feedback`` in a
module's front matter), so both routes leave the same data behind.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from futuredoctor.extensions import db
from futuredoctor.models import (
    Enrolment,
    FeedbackItem,
    FeedbackSource,
    FeedbackStatus,
    FeedbackStatusChange,
    ModuleVersion,
    User,
    utcnow,
)
from futuredoctor.notifications.outbox import queue_many

NOTIFICATION_KIND = "you_said_we_did"
EXCERPT = 160


def excerpt(text: str | None, limit: int = EXCERPT) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def load_items(ids: Iterable[int]) -> dict[int, FeedbackItem]:
    """Items by id, with the module and enrolment needed to check and notify."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    stmt = (
        sa.select(FeedbackItem)
        .where(FeedbackItem.id.in_(wanted))
        .options(
            joinedload(FeedbackItem.module_version).joinedload(ModuleVersion.module),
            joinedload(FeedbackItem.enrolment).joinedload(Enrolment.user),
        )
    )
    return {item.id: item for item in db.session.scalars(stmt).unique()}


def problem_with(item: FeedbackItem | None, item_id: int, module_slug: str) -> str | None:
    """Why ``item`` cannot be addressed by a version of ``module_slug``, or None."""
    if item is None:
        return f"feedback item {item_id} does not exist"
    about = item.module_version.module.slug
    if about != module_slug:
        return f"feedback item {item_id} is about module {about!r}, not {module_slug!r}"
    return None


def close_loop(version: ModuleVersion, items: Iterable[FeedbackItem], actor: User | None) -> int:
    """Link ``items`` to ``version``, mark them done and queue "You said, we did"
    notifications for opted-in participants. Items already addressed by an earlier
    version keep that link. Returns how many notifications were queued."""
    now = utcnow()
    rows = []
    for item in items:
        if item.status is FeedbackStatus.DONE and item.addressed_by_version_id is not None:
            continue
        item.addressed_by_version_id = version.id
        item.status = FeedbackStatus.DONE
        item.status_reason = None
        db.session.add(
            FeedbackStatusChange(
                feedback_item=item,
                status=FeedbackStatus.DONE,
                note=f"Addressed by version {version.number}: {excerpt(version.changelog, 300)}",
                changed_by_id=actor.id if actor is not None else None,
                changed_at=now,
            )
        )
        if (
            item.notify_on_action
            and item.source is FeedbackSource.PARTICIPANT
            and item.enrolment is not None
        ):
            rows.append(_notification(version, item))
    db.session.flush()
    return queue_many(rows)


def _notification(version: ModuleVersion, item: FeedbackItem) -> dict[str, object]:
    assert item.enrolment is not None
    said = excerpt(item.text) or "your ratings"
    body = (
        f"You said: “{said}”\n\n"
        f"We did: version {version.number} of “{version.title}” was published. "
        f"What changed: {version.changelog.strip()}"
    )
    return {
        "kind": NOTIFICATION_KIND,
        "recipient_id": item.enrolment.user_id,
        "subject_key": f"feedback:{item.id}",
        "title": f"You said, we did: {version.title}",
        "body": body,
        "payload": {
            "feedback_item_id": item.id,
            "module": version.module.slug,
            "module_slug": version.module.slug,
            "module_title": version.title,
            "version": version.number,
            "module_version_id": version.id,
        },
    }


def check_addresses(modules: list[Any]) -> tuple[dict[int, FeedbackItem], list[Any]]:
    """For ``flask content sync``: the feedback items named in ``addresses_feedback``
    front matter, and a content problem for every id that is unknown or about another
    module. One query, whatever the number of files."""
    from futuredoctor.content.check import Problem

    wanted = {i for m in modules for i in m.front_matter.addresses_feedback}
    items = load_items(wanted)
    problems = []
    for module in modules:
        line, inline = _key_line(module.path, "addresses_feedback")
        for index, item_id in enumerate(module.front_matter.addresses_feedback):
            message = problem_with(items.get(item_id), item_id, module.front_matter.slug)
            if message is not None:
                problems.append(
                    Problem(
                        module.path,
                        line if inline else line + 1 + index,
                        f"addresses_feedback[{index}]",
                        message,
                    )
                )
    return items, problems


def _key_line(path: Any, key: str) -> tuple[int, bool]:
    """The file line of a top-level key, and whether its list is written on that line."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError:
        return 1, True
    for number, text in enumerate(lines, 1):
        if text.startswith(f"{key}:"):
            return number, "[" in text
    return 1, True
