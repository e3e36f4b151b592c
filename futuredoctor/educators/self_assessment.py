"""Self-assessment against the milestones: dated snapshots, one level per subcompetency.

A snapshot is made against the current framework version only. The form carries the
version it was drawn from, so a framework that changed while someone was filling it in is
refused (the wording they rated may have changed) rather than silently re-mapped.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload, selectinload

from futuredoctor.extensions import db
from futuredoctor.models import (
    LEVELS,
    MilestoneDomain,
    MilestoneFramework,
    MilestoneRating,
    SelfAssessment,
    Subcompetency,
    User,
)
from futuredoctor.refusals import Refusal

FRAMEWORK_CODE = "CEM"
NOTE_MAX = 2000
LINK_MAX = 500


@dataclass(frozen=True)
class RatingInput:
    """One row of the form as typed: ``level`` is text so any input can be judged here."""

    code: str
    level: str | int | None
    evidence_note: str = ""
    evidence_link: str = ""


_NEWEST = (
    sa.select(MilestoneFramework.id)
    .where(MilestoneFramework.code == FRAMEWORK_CODE)
    .order_by(MilestoneFramework.version.desc())
    .limit(1)
    .scalar_subquery()
)
_CURRENT = (
    sa.select(MilestoneFramework)
    .where(MilestoneFramework.id == _NEWEST)
    .options(joinedload(MilestoneFramework.domains).joinedload(MilestoneDomain.subcompetencies))
)


def current_framework() -> MilestoneFramework | None:
    """The newest synced version, with its domains and subcompetencies, in one statement
    (a few dozen rows; read one level at a time it was three), built once."""
    return db.session.scalars(_CURRENT).unique().first()


def subcompetencies(framework: MilestoneFramework) -> list[Subcompetency]:
    return [sub for domain in framework.domains for sub in domain.subcompetencies]


def _level(value: str | int | None, label: str, field: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        level = int(str(value).strip())
    except ValueError:
        level = 0
    if level not in LEVELS:
        raise Refusal(field, f"Level for {label} must be a whole number from 1 to 5")
    return level


def _link(value: str, label: str, field: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    site_path = value.startswith("/") and not value.startswith("//")
    if len(value) > LINK_MAX or not (
        site_path or (parts.scheme in ("http", "https") and parts.netloc)
    ):
        raise Refusal(
            field,
            f"Evidence link for {label} must be a web address starting https:// "
            f"or a page on this site starting /, of {LINK_MAX} characters or fewer",
        )
    return value


def record_assessment(
    user: User, framework_version: int | str | None, rows: list[RatingInput]
) -> SelfAssessment:
    """Store a snapshot of the rated rows (unrated rows are skipped); refuses the whole
    snapshot if any row is wrong, naming the row."""
    framework = current_framework()
    if framework is None:
        raise Refusal(None, "The educator milestones have not been loaded yet")
    if str(framework_version) != str(framework.version):
        raise Refusal(
            "framework_version",
            f"The milestones were updated to version {framework.version} while you were "
            "rating yourself. Check your ratings against the new wording and save again.",
        )
    by_code = {sub.code: sub for sub in subcompetencies(framework)}
    assessment = SelfAssessment(user_id=user.id, framework=framework)
    seen: set[str] = set()
    for row in rows:
        sub = by_code.get(row.code)
        if sub is None:
            raise Refusal(None, f"{row.code!r} is not a subcompetency of the milestones")
        if row.code in seen:
            raise Refusal(f"{row.code}.level", f"{sub.title} is rated more than once")
        seen.add(row.code)
        label = f"{sub.code} {sub.title}"
        level = _level(row.level, label, f"{sub.code}.level")
        note = (row.evidence_note or "").strip()
        if len(note) > NOTE_MAX:
            raise Refusal(
                f"{sub.code}.evidence_note",
                f"Evidence for {label} must be {NOTE_MAX:,} characters or fewer",
            )
        link = _link(row.evidence_link, label, f"{sub.code}.evidence_link")
        if level is None:
            if note or link:
                raise Refusal(
                    f"{sub.code}.level", f"Choose a level for {label}, or clear its evidence"
                )
            continue
        assessment.ratings.append(
            MilestoneRating(subcompetency=sub, level=level, evidence_note=note, evidence_link=link)
        )
    if not assessment.ratings:
        raise Refusal(None, "Rate yourself on at least one subcompetency")
    db.session.add(assessment)
    db.session.flush()
    return assessment


def assessments(user: User) -> list[SelfAssessment]:
    """The user's snapshots, oldest first, with ratings and subcompetencies: two
    statements, or one more per framework version not read already (the current one
    usually is: ``current_framework``)."""
    return list(
        db.session.scalars(
            sa.select(SelfAssessment)
            .where(SelfAssessment.user_id == user.id)
            .order_by(SelfAssessment.assessed_at, SelfAssessment.id)
            .options(
                selectinload(SelfAssessment.ratings).joinedload(MilestoneRating.subcompetency),
                lazyload(SelfAssessment.framework),
            )
        )
    )


def latest_levels(history: list[SelfAssessment]) -> dict[str, MilestoneRating]:
    """The most recent rating per subcompetency code across all snapshots."""
    latest: dict[str, MilestoneRating] = {}
    for assessment in history:
        for rating in assessment.ratings:
            latest[rating.subcompetency.code] = rating
    return latest
