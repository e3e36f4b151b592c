"""Records for the route sweep: a self-assessment, a mentor offer and a pairing that the
swept person owns or is part of, so every educators route has something to show."""

from __future__ import annotations

from futuredoctor.educators import colleague_feedback, pairings, plan, self_assessment
from futuredoctor.educators.mentor_offers import save_offer
from futuredoctor.extensions import db
from futuredoctor.models import EducatorProfile, User
from tests.factories import days_from_today, make_user


def rate(user: User, levels: dict[str, int]) -> object:
    framework = self_assessment.current_framework()
    assert framework is not None
    rows = [self_assessment.RatingInput(code, level, "Evidence") for code, level in levels.items()]
    return self_assessment.record_assessment(user, framework.version, rows)


def route_samples(user: User | None) -> dict[str, tuple[int, int]]:
    """``assessment_id``, ``offer_id`` and ``mentorship_id`` values for the sweep: the
    person's own records (a requested pairing in which they are the mentee)."""
    owner = user or make_user()
    if db.session.get(EducatorProfile, owner.id) is None:
        db.session.add(EducatorProfile(user_id=owner.id))
    assessment = rate(owner, {"ETP7": 2})
    mentor = make_user(given_name="Sweep", family_name="Mentor")
    offer = save_offer(mentor, 2, ["ETP7"], "either", "", True)
    pairing = pairings.request_mentor(owner, offer, "Please help with teaching.")
    goal = plan.add_goal(owner, "ETP7", "Teach on the ward", days_from_today(30))
    ask = colleague_feedback.create_request(owner, ["ETP7"], "colleague@example.nhs.uk", "")
    db.session.commit()
    return {
        "assessment_id": (assessment.id, assessment.id),  # type: ignore[attr-defined]
        "offer_id": (offer.id, offer.id),
        "mentorship_id": (pairing.id, pairing.id),
        "goal_id": (goal.id, goal.id),
        "request_id": (ask.id, ask.id),
    }
