"""Living-lab demo data: a co-design session, tags and triage, and version 2 of a London
module that addresses feedback, so "You said, we did" has something to show; two public
contributors (one who agreed to be named, one who did not) listed at the session.

Repeatable: the session is found by pilot and title, triage only touches items still
received, version 2 is published only while the module has one version, and the
contributors are recorded only while the pilot has none.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from futuredoctor import clock
from futuredoctor.extensions import db
from futuredoctor.livinglab import codesign, contributors, triage
from futuredoctor.livinglab.versions import NewVersion, publish_version
from futuredoctor.models import (
    AttendeeKind,
    CodesignSession,
    Enrolment,
    FeedbackItem,
    FeedbackSource,
    FeedbackStatus,
    Involvement,
    Module,
    ModuleVersion,
    Pilot,
    PublicContributor,
    Role,
    User,
)

MODULE = "inclusion-health-homelessness"
SESSION_TITLE = "Inclusion health module review"
SUGGESTIONS = [
    "Add a worked example of registering someone with a GP practice without proof of address.",
    "The case study should include the voice of a person with lived experience of "
    "homelessness, not only clinicians.",
]
OTHER_SUGGESTION = "Include a short section on shared decisions with people who use interpreters."
CHANGELOG = (
    "Added a worked example of GP registration without proof of address and a case study "
    "written with a person with lived experience of homelessness."
)


def create_living_lab_demo(
    educator_email: str, participant_email: str, people: list[str] | None = None
) -> None:
    """Triage and publish with the demo's own feedback: ``people`` are the demo
    participants' emails (all of them when not given: a database of demo data only)."""
    educator = db.session.scalar(sa.select(User).where(User.email == educator_email))
    participant = db.session.scalar(sa.select(User).where(User.email == participant_email))
    grant = (
        next((g for g in educator.grants if g.role is Role.LEAD_EDUCATOR), None)
        if educator
        else None
    )
    module = db.session.scalar(
        sa.select(Module).where(Module.slug == MODULE).options(selectinload(Module.versions))
    )
    if educator is None or participant is None or grant is None or module is None:
        return
    if people is None:
        people = list(db.session.scalars(sa.select(User.email)))
    pilot = grant.pilot
    if pilot is None:  # a lead educator's grant always names its pilot
        return
    first = module.versions[0]
    _opt_in(participant, first)
    session = db.session.scalar(
        sa.select(CodesignSession).where(
            CodesignSession.pilot_id == pilot.id, CodesignSession.title == SESSION_TITLE
        )
    )
    if session is None:
        others = db.session.scalar(
            sa.select(ModuleVersion)
            .join(Module)
            .where(Module.slug == "shared-decision-making")
            .order_by(ModuleVersion.number)
            .limit(1)
        )
        suggestions = [codesign.Suggestion(first.id, text) for text in SUGGESTIONS]
        if others is not None:
            suggestions.append(codesign.Suggestion(others.id, OTHER_SUGGESTION))
        session, _ = codesign.record_session(
            pilot,
            clock.today_uk() - timedelta(days=14),
            SESSION_TITLE,
            {
                "participants_count": 6,
                "educators_count": 3,
                "patients_public_count": 4,
                "other_professionals_count": 2,
            },
            "Walked through the module with people with lived experience of homelessness "
            "and a local outreach team.",
            suggestions,
            educator,
        )
    _public_contributors(pilot, session, educator)
    _triage(educator, participant, first, people)
    if len(module.versions) == 1:
        _publish(module, educator, participant, session, people)


def _public_contributors(pilot: Pilot, session: CodesignSession, educator: User) -> None:
    recorded = sa.select(PublicContributor.id).where(PublicContributor.pilot_id == pilot.id)
    if db.session.scalar(recorded.limit(1)) is not None:
        return
    told_us = clock.today_uk() - timedelta(days=20)
    for name, consent, kinds in (
        ("Harbour Reader", True, [Involvement.CODESIGN, Involvement.CONTENT_REVIEW]),
        ("M. (outreach service user)", False, [Involvement.CODESIGN]),
    ):
        person = contributors.record(
            pilot,
            contributors.ContributorDetails(name, kinds, consent, told_us, None),
            educator,
        )
        codesign.add_attendee(session, AttendeeKind.PATIENT_PUBLIC, person, None)


def _opt_in(participant: User, version: ModuleVersion) -> None:
    """The demo participant asked to hear what happens to their feedback."""
    for item in db.session.scalars(
        sa.select(FeedbackItem)
        .join(Enrolment, Enrolment.id == FeedbackItem.enrolment_id)
        .where(Enrolment.user_id == participant.id)
    ):
        item.notify_on_action = True
    db.session.flush()


def _participant_items(
    version: ModuleVersion, excluding: User, people: list[str]
) -> list[FeedbackItem]:
    """Feedback from the other demo participants (``people`` are their emails): a database
    may hold others' feedback on the same version (benchmark data, say), which the demo
    leaves alone."""
    stmt = (
        sa.select(FeedbackItem)
        .join(Enrolment, Enrolment.id == FeedbackItem.enrolment_id)
        .join(User, User.id == Enrolment.user_id)
        .where(
            FeedbackItem.module_version_id == version.id,
            FeedbackItem.source == FeedbackSource.PARTICIPANT,
            Enrolment.user_id != excluding.id,
            User.email.in_(people),
        )
        .order_by(FeedbackItem.id)
    )
    return list(db.session.scalars(stmt))


def _triage(educator: User, participant: User, version: ModuleVersion, people: list[str]) -> None:
    items = _participant_items(version, participant, people)
    if any(i.status is not FeedbackStatus.RECEIVED for i in items):
        return  # triaged on an earlier run
    plan = [
        (
            FeedbackStatus.UNDER_REVIEW,
            "Checking this against the co-design session notes.",
            ["case studies"],
        ),
        (FeedbackStatus.PLANNED, "Planned for the next version.", ["community settings"]),
        (FeedbackStatus.UNDER_REVIEW, None, ["timing"]),
    ]
    for item, (status, note, tags) in zip(items, plan, strict=False):
        triage.change_status(item, status, note, educator)
        triage.add_tags(item, tags)


def _publish(
    module: Module,
    educator: User,
    participant: User,
    session: CodesignSession,
    people: list[str],
) -> None:
    latest = module.latest
    suggestions = [
        i.id for i in codesign.session_items(session) if i.module_version_id == latest.id
    ]
    planned = [
        i.id
        for i in _participant_items(latest, participant, people)
        if i.status in (FeedbackStatus.UNDER_REVIEW, FeedbackStatus.PLANNED)
    ][:2]
    body = latest.body_markdown.rstrip() + (
        "\n\n## Worked example: registering with a GP practice\n\n"
        "Nobody needs proof of address or identity to register with a GP practice in England. "
        "If a patient has no fixed address, the practice can use its own address or a day "
        "centre's address for letters. Ask where letters can reach the patient, and note it.\n"
    )
    publish_version(
        module,
        NewVersion(
            based_on=latest.number,
            title=latest.title,
            summary=latest.summary,
            estimated_minutes=latest.estimated_minutes + 5,
            delivery_mode=latest.delivery_mode,
            learning_outcomes=list(latest.learning_outcomes),
            gpc_domains=[d.code for d in latest.domains],
            body=body,
            changelog=CHANGELOG,
            addresses=suggestions + planned,
        ),
        educator,
    )
