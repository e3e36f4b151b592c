"""Records each sweep account owns or may open, for the routes whose URL names one: its
own network post (to read and edit), an opportunity it organises (or one meant for
everyone), a champion's profile, a mentor's open offer and a pairing, its own development
goal, self-assessment and colleague-feedback request, and an evaluation project it is
granted. Made once and found again on a second sweep of the same database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from futuredoctor import clock
from futuredoctor.extensions import db
from futuredoctor.models import (
    ChampionProfile,
    ColleagueFeedbackRequest,
    DevelopmentGoal,
    EvaluationAccess,
    EvaluationProject,
    MentoringFormat,
    MentorOffer,
    Mentorship,
    MilestoneFramework,
    NetworkPost,
    Opportunity,
    OpportunityKind,
    PairingStatus,
    Region,
    Role,
    SelfAssessment,
    Subcompetency,
    User,
)
from futuredoctor.permissions import ROLE_PERMISSIONS, Permission

SWEEP_TITLE = "Sweep sample"


def _one(stmt: sa.Select[Any]) -> Any:
    return db.session.scalars(stmt.limit(1)).first()


def _post(user: User) -> NetworkPost:
    post = _one(sa.select(NetworkPost).where(NetworkPost.author_id == user.id))
    if post is None:
        post = NetworkPost(author=user, title=SWEEP_TITLE, body="What the sweep learned.", tags=[])
        db.session.add(post)
    return post  # type: ignore[no-any-return]


def _opportunity(user: User, region: Region) -> Opportunity:
    found = _one(sa.select(Opportunity).where(Opportunity.organiser_id == user.id))
    if found is None:
        start = clock.now() + timedelta(days=30)
        found = Opportunity(
            organiser_id=user.id,
            region_id=region.id,
            kind=OpportunityKind.TALK,
            title=SWEEP_TITLE,
            location="Online",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            closes_at=start - timedelta(days=2),
            capacity=20,
        )
        db.session.add(found)
    return found  # type: ignore[no-any-return]


def _offer(user: User) -> MentorOffer:
    found = _one(sa.select(MentorOffer).where(MentorOffer.user_id == user.id))
    if found is None:
        found = MentorOffer(user_id=user.id, capacity=5, format=MentoringFormat.ONLINE)
        db.session.add(found)
    found.is_open = True
    return found  # type: ignore[no-any-return]


def _pairing(offer: MentorOffer, mentee: User) -> Mentorship:
    found = _one(
        sa.select(Mentorship).where(
            Mentorship.offer_id == offer.id, Mentorship.mentee_id == mentee.id
        )
    )
    if found is None:
        found = Mentorship(
            offer_id=offer.id,
            mentor_id=offer.user_id,
            mentee_id=mentee.id,
            status=PairingStatus.REQUESTED,
            message="Could we talk about teaching on the job?",
        )
        db.session.add(found)
    return found  # type: ignore[no-any-return]


def _development(user: User) -> dict[str, int]:
    framework = _one(sa.select(MilestoneFramework).order_by(MilestoneFramework.id.desc()))
    subcompetency = _one(sa.select(Subcompetency).order_by(Subcompetency.id))
    if framework is None or subcompetency is None:
        return {}
    goal = _one(sa.select(DevelopmentGoal).where(DevelopmentGoal.user_id == user.id))
    if goal is None:
        goal = DevelopmentGoal(
            user_id=user.id,
            subcompetency_id=subcompetency.id,
            title=SWEEP_TITLE,
            target_date=clock.today_uk() + timedelta(days=90),
        )
        db.session.add(goal)
    assessment = _one(sa.select(SelfAssessment).where(SelfAssessment.user_id == user.id))
    if assessment is None:
        assessment = SelfAssessment(user_id=user.id, framework_id=framework.id, ratings=[])
        db.session.add(assessment)
    request = _one(
        sa.select(ColleagueFeedbackRequest).where(ColleagueFeedbackRequest.user_id == user.id)
    )
    if request is None:
        request = ColleagueFeedbackRequest(
            user_id=user.id, framework_id=framework.id, subcompetency_codes=[subcompetency.code]
        )
        db.session.add(request)
    db.session.flush()
    return {"goal_id": goal.id, "assessment_id": assessment.id, "request_id": request.id}


def _project(evaluator: User, region: Region) -> EvaluationProject:
    found = _one(sa.select(EvaluationProject).where(EvaluationProject.name == SWEEP_TITLE))
    if found is None:
        today = clock.today_uk()
        found = EvaluationProject(
            name=SWEEP_TITLE,
            approval_reference="SWEEP-1",
            scopes=[f"region:{region.code}"],
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=300),
            key_salt="0" * 64,
            key_fingerprint="0" * 16,
            access=[EvaluationAccess(user_id=evaluator.id)],
        )
        db.session.add(found)
    return found  # type: ignore[no-any-return]


def role_samples(region: Region, users: dict[str, User]) -> dict[str, dict[str, Any]]:
    """URL values by role (``users`` by role value), flushed, for the caller to commit."""
    champion, educator = users[Role.CHAMPION.value], users[Role.LEAD_EDUCATOR.value]
    offers = {champion.id: _offer(champion), educator.id: _offer(educator)}
    everyone = _opportunity(champion, region)  # no audience: meant for everyone
    project = _project(users[Role.EVALUATOR.value], region)
    profile = _one(
        sa.select(ChampionProfile)
        .where(ChampionProfile.region_id == region.id)
        .order_by(ChampionProfile.id)
    )
    db.session.flush()
    samples: dict[str, dict[str, Any]] = {}
    for role, user in users.items():
        other = offers[educator.id] if user.id == champion.id else offers[champion.id]
        organiser = Permission.PUBLISH_OPPORTUNITIES in ROLE_PERMISSIONS[Role(role)]
        opportunity = _opportunity(user, region) if organiser else everyone
        post, pairing = _post(user), _pairing(other, user)
        db.session.flush()
        samples[role] = {
            "post_id": post.id,
            "opportunity_id": opportunity.id,
            "offer_id": other.id,
            "mentorship_id": pairing.id,
            "project_id": project.id,
            **_development(user),
        }
        if profile is not None:
            samples[role]["profile_id"] = profile.id
    return samples
