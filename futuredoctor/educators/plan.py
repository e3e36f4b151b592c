"""The development plan: goals tied to a subcompetency (and optionally a module), with a
target date, a status and a review note; reminders as a target date nears.

Reminders go through the outbox keyed by goal and target date, so the scheduler can run
the job as often as it likes (or twice at once) and each reminder is queued once; moving
the date makes a new reminder for the new date.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from futuredoctor import clock
from futuredoctor.date_input import DateInputError, date_from_text
from futuredoctor.educators import self_assessment
from futuredoctor.extensions import db
from futuredoctor.models import (
    DevelopmentGoal,
    GoalStatus,
    Module,
    User,
)
from futuredoctor.models.development import OPEN_GOAL_STATUSES
from futuredoctor.notifications.outbox import queue_many
from futuredoctor.refusals import Refusal

REMINDER_DAYS = 14
TITLE_MAX = 200
NOTE_MAX = 2000


def goals(user: User) -> list[DevelopmentGoal]:
    """Open goals first, soonest target first; then achieved and dropped ones."""
    rows = db.session.scalars(
        sa.select(DevelopmentGoal)
        .where(DevelopmentGoal.user_id == user.id)
        .order_by(DevelopmentGoal.target_date, DevelopmentGoal.id)
    ).all()
    return sorted(rows, key=lambda g: g.status not in OPEN_GOAL_STATUSES)


def module_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(sa.select(Module.slug).order_by(Module.slug)).scalars().all()
    return [(slug, slug.replace("-", " ").capitalize()) for slug in rows]


def _target(value: str | date | None, *, allow_past: bool = False) -> date:
    if isinstance(value, date):
        day: date | None = value
    else:
        try:
            day = date_from_text(value, what="Target date")
        except DateInputError as problem:
            raise Refusal("target_date", problem.message) from None
    if day is None:
        raise Refusal("target_date", "Enter a target date")
    if not allow_past and day < clock.today_uk():
        raise Refusal("target_date", "Target date must be today or in the future")
    return day


def add_goal(
    user: User,
    code: str | None,
    title: str | None,
    target: str | date | None,
    module_slug: str | None = None,
) -> DevelopmentGoal:
    framework = self_assessment.current_framework()
    subs = {s.code: s for s in self_assessment.subcompetencies(framework)} if framework else {}
    sub = subs.get(code or "")
    if sub is None:
        raise Refusal("subcompetency", "Choose the subcompetency this goal develops")
    text = (title or "").strip()
    if not text:
        raise Refusal("title", "Enter the goal")
    if len(text) > TITLE_MAX:
        raise Refusal("title", f"Goal must be {TITLE_MAX} characters or fewer")
    module = None
    if module_slug:
        module = db.session.scalar(sa.select(Module).where(Module.slug == module_slug))
        if module is None:
            raise Refusal("module", "Choose a module from the list")
    goal = DevelopmentGoal(
        user_id=user.id,
        subcompetency=sub,
        module=module,
        title=text,
        target_date=_target(target),
    )
    db.session.add(goal)
    db.session.flush()
    return goal


def review_goal(
    goal: DevelopmentGoal, status: str | None, note: str | None, target: str | date | None
) -> None:
    """Change status, review note and target date; a changed date cannot be in the past."""
    try:
        new_status = GoalStatus(status or "")
    except ValueError:
        raise Refusal("status", "Choose a status") from None
    text = (note or "").strip()
    if len(text) > NOTE_MAX:
        raise Refusal("review_note", f"Review note must be {NOTE_MAX:,} characters or fewer")
    day = _target(target, allow_past=True)
    if day != goal.target_date and day < clock.today_uk():
        raise Refusal("target_date", "Target date must be today or in the future")
    goal.status = new_status
    goal.review_note = text
    goal.target_date = day
    db.session.flush()


def queue_goal_reminders(today: date) -> int:
    """Queue a reminder for every open goal due within ``REMINDER_DAYS``; returns how
    many were new (the outbox's unique key makes repeats no-ops)."""
    due = db.session.execute(
        sa.select(
            DevelopmentGoal.id,
            DevelopmentGoal.user_id,
            DevelopmentGoal.title,
            DevelopmentGoal.target_date,
        )
        .where(
            DevelopmentGoal.status.in_(OPEN_GOAL_STATUSES),
            DevelopmentGoal.target_date >= today,
            DevelopmentGoal.target_date <= today + timedelta(days=REMINDER_DAYS),
        )
        .order_by(DevelopmentGoal.id)
    ).all()
    return queue_many(
        {
            "kind": "goal_due",
            "recipient_id": user_id,
            "subject_key": f"goal-{goal_id}-{target.isoformat()}",
            "title": "A development goal is due soon",
            "body": f"Your goal “{title}” is due on {target.day} {target:%B %Y}. Sign in and "
            "open Educator development to review it.",
        }
        for goal_id, user_id, title, target in due
    )
