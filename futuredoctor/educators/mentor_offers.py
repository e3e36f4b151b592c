"""Mentor offers and suggested mentors, ranked by fit.

Fit counts shared focus first, then a shared region and profession: what mentees in the
pilots said matters most is help with the thing they asked about, from someone who knows
their local context.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, lazyload

from futuredoctor.content.choices import content_choices
from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    MentoringFormat,
    MentorOffer,
    Mentorship,
    PairingStatus,
    Pilot,
    RoleGrant,
    User,
)
from futuredoctor.models.mentoring import MAX_CAPACITY
from futuredoctor.refusals import Refusal

GENERAL_FOCUS = {
    "careers": "Careers in education",
    "leadership": "Leadership",
    "local": "Local health priorities",
}
SUGGESTION_LIMIT = 50


def focus_choices() -> list[tuple[str, str]]:
    """Every focus a mentor can offer: GPC domains, milestone subcompetencies, and the
    general topics, as (code, label) in that order (from the cached content choices)."""
    choices = content_choices()
    return [
        *[(code, f"{code}: {title}") for code, title in choices.domains],
        *[(code, f"{code}: {title}") for code, title in choices.milestones],
        *GENERAL_FOCUS.items(),
    ]


# The person's own offer: its mentor is the person, already read with the account.
_OFFER_OF = (
    sa.select(MentorOffer)
    .where(MentorOffer.user_id == sa.bindparam("user_id"))
    .options(lazyload(MentorOffer.mentor))
)


def offer_of(user: User) -> MentorOffer | None:
    return db.session.scalar(_OFFER_OF, {"user_id": user.id})


def _capacity(value: str | int | None) -> int:
    try:
        capacity = int(str(value).strip())
    except ValueError:
        capacity = 0
    if not 1 <= capacity <= MAX_CAPACITY:
        raise Refusal("capacity", f"Capacity must be a whole number from 1 to {MAX_CAPACITY}")
    return capacity


def save_offer(
    user: User,
    capacity: str | int | None,
    focus: Iterable[str],
    format: str,
    about: str,
    is_open: bool,
) -> MentorOffer:
    """Create or change the user's offer. Capacity never drops below the people already
    being mentored; the check and the change are one conditional UPDATE."""
    places = _capacity(capacity)
    known = dict(focus_choices())
    chosen = list(dict.fromkeys(focus))
    unknown = [code for code in chosen if code not in known]
    if unknown:
        raise Refusal(
            "focus", f"Choose focus areas from the list ({', '.join(unknown)} is not one)"
        )
    if not chosen:
        raise Refusal("focus", "Choose at least one thing you can help with")
    if format not in {f.value for f in MentoringFormat}:
        raise Refusal("format", "Choose how you would like to meet")
    offer = offer_of(user)
    if offer is None:
        offer = MentorOffer(user_id=user.id, capacity=places, places_taken=0)
        db.session.add(offer)
    else:
        result = db.session.execute(
            sa.update(MentorOffer)
            .where(MentorOffer.id == offer.id, MentorOffer.places_taken <= places)
            .values(capacity=places)
            .execution_options(synchronize_session=False)
        )
        if cast("sa.CursorResult[Any]", result).rowcount != 1:
            db.session.refresh(offer)
            raise Refusal(
                "capacity",
                f"You are mentoring {offer.places_taken} people, so capacity cannot be less "
                f"than {offer.places_taken}",
            )
        db.session.refresh(offer)
    offer.focus = chosen
    offer.format = MentoringFormat(format)
    offer.about = (about or "").strip()
    offer.is_open = is_open
    db.session.flush()
    return offer


def region_ids(user_ids: Iterable[int]) -> dict[int, set[int]]:
    """The regions each person works or learns in (grants and current enrolments), in
    two queries whatever the number of people."""
    ids = list(set(user_ids))
    found: dict[int, set[int]] = defaultdict(set)
    if not ids:
        return found
    grants = (
        sa.select(RoleGrant.user_id, sa.func.coalesce(RoleGrant.region_id, Pilot.region_id))
        .outerjoin(Pilot, Pilot.id == RoleGrant.pilot_id)
        .where(RoleGrant.user_id.in_(ids))
    )
    enrolled = (
        sa.select(Enrolment.user_id, Pilot.region_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(Pilot, Pilot.id == Cohort.pilot_id)
        .where(Enrolment.user_id.in_(ids), Enrolment.status != EnrolmentStatus.WITHDRAWN)
    )
    for stmt in (grants, enrolled):
        for user_id, region_id in db.session.execute(stmt):
            if region_id is not None:
                found[user_id].add(region_id)
    return found


@dataclass(frozen=True)
class Suggestion:
    offer: MentorOffer
    score: int
    reasons: list[str]
    same_region: bool
    already_asked: bool

    @property
    def places_left(self) -> int:
        return self.offer.capacity - self.offer.places_taken


# Open offers with a free place but the mentee's own, with what ranking and listing them
# reads of each mentor (not their role grants); built once with the mentee bound.
_OPEN_OFFERS = (
    sa.select(MentorOffer)
    .join(User, User.id == MentorOffer.user_id)
    .where(
        MentorOffer.is_open.is_(True),
        MentorOffer.places_taken < MentorOffer.capacity,
        MentorOffer.user_id != sa.bindparam("mentee_id"),
        User.is_enabled.is_(True),
    )
    .options(
        contains_eager(MentorOffer.mentor)
        .load_only(User.given_name, User.family_name, User.professional_group)
        .lazyload(User.grants)
    )
)


def suggested_mentors(mentee: User, focus: list[str], cross_region: bool) -> list[Suggestion]:
    """Open offers with a free place, best fit first; only mentors sharing a region with
    the mentee unless ``cross_region`` (or the mentee has no region yet)."""
    offers = list(db.session.scalars(_OPEN_OFFERS, {"mentee_id": mentee.id}))
    regions = region_ids([mentee.id, *[o.user_id for o in offers]])
    mine = regions.get(mentee.id, set())
    asked = set(
        db.session.scalars(
            sa.select(Mentorship.offer_id).where(
                Mentorship.mentee_id == mentee.id,
                Mentorship.status.in_([PairingStatus.REQUESTED, PairingStatus.ACTIVE]),
            )
        )
    )
    labels = dict(focus_choices())
    wanted = set(focus)
    suggestions = []
    for offer in offers:
        same_region = bool(mine & regions.get(offer.user_id, set()))
        if mine and not same_region and not cross_region:
            continue
        shared = [code for code in offer.focus if code in wanted]
        same_profession = bool(
            mentee.professional_group
            and offer.mentor.professional_group == mentee.professional_group
        )
        reasons = [f"Can help with {labels.get(code, code)}" for code in shared]
        if same_region:
            reasons.append("Works in your region")
        if same_profession:
            reasons.append("Same profession as you")
        score = 3 * len(shared) + 2 * same_region + same_profession
        suggestions.append(Suggestion(offer, score, reasons, same_region, offer.id in asked))
    suggestions.sort(key=lambda s: (-s.score, s.offer.mentor.family_name, s.offer.id))
    return suggestions[:SUGGESTION_LIMIT]
