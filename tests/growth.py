"""More of everything that grows with use, inside the London scope the route sweep signs in
to: participants with progress and feedback, modules released to the cohort, join requests,
co-design sessions, staff, and each signed-in person's own notifications.

The query-growth test opens every page before and after ``grow`` and compares the number of
statements: a page whose count moves with these rows runs a query per row somewhere.
"""

from __future__ import annotations

import itertools

import sqlalchemy as sa

from futuredoctor import clock
from futuredoctor.extensions import db
from futuredoctor.models import (
    AttendeeKind,
    CodesignAttendee,
    CodesignSession,
    Enrolment,
    FeedbackItem,
    FeedbackSource,
    FeedbackStatus,
    FeedbackStatusChange,
    FeedbackTag,
    JoinRequest,
    Module,
    Notification,
    Pilot,
    Progress,
    Region,
    Release,
    Role,
)
from tests.community.network import grow_network
from tests.factories import (
    current_cohorts,
    days_from_today,
    make_enrolment,
    make_module,
    make_release,
    make_user,
)
from tests.livinglab.lab import make_contributor

_seq = itertools.count(1)


def grow(people: list[int], n: int = 3) -> None:
    """Add ``n`` of each kind of row in London (and a few outside it); ``people`` are the
    ids of the signed-in people, who get more progress and notifications of their own."""
    cohorts = current_cohorts()
    london, southwest = cohorts["lon-current"], cohorts["sw-current"]
    pilot = db.session.scalar(sa.select(Pilot).where(Pilot.slug == "lon-inclusion-health"))
    region = db.session.scalar(sa.select(Region).where(Region.code == "LON"))
    shared = db.session.scalar(sa.select(Module).where(Module.slug == "shared-decision-making"))
    tag = FeedbackTag(name=f"growth-{next(_seq)}")
    db.session.add(tag)
    new_releases = [
        make_release(make_module(title="Growth module").latest, london) for _ in range(n)
    ]
    make_release(make_module(title="Later growth module").latest, london, days_from_now=20)
    releases = list(db.session.scalars(sa.select(Release).where(Release.cohort_id == london.id)))
    for cohort in (london, southwest):
        for _ in range(n):
            user = make_user(roles=[(Role.PARTICIPANT, None)])
            enrolment = make_enrolment(user, cohort, consent=True)
            for release in releases if cohort is london else []:
                db.session.add(
                    Progress(
                        enrolment=enrolment,
                        release=release,
                        started_at=clock.now(),
                        completed_at=clock.now(),
                        reflection="Growth reflection",
                    )
                )
            item = FeedbackItem(
                module_version_id=shared.latest.id,
                enrolment_id=enrolment.id,
                source=FeedbackSource.PARTICIPANT,
                relevance=4,
                quality=3,
                applicability=5,
                text="Growth feedback",
                notify_on_action=True,
            )
            item.tags.append(tag)
            db.session.add(item)
            db.session.flush()
            db.session.add(
                FeedbackStatusChange(
                    feedback_item_id=item.id, status=FeedbackStatus.RECEIVED, note="Growth"
                )
            )
            db.session.add(
                JoinRequest(
                    cohort=cohort,
                    email=f"growth{next(_seq)}@example.nhs.uk",
                    given_name="Growth",
                    family_name="Applicant",
                    professional_group="doctor",
                    career_stage="FY1",
                )
            )
    for _ in range(n):
        db.session.add(CodesignSession(pilot=pilot, held_on=days_from_today(-10), title="Growth"))
        make_user(roles=[(Role.LEAD_EDUCATOR, pilot)])
        make_user(roles=[(Role.REGIONAL_LEAD, region)])
    grow_public_contributors(pilot, shared, n)
    grow_network(people, n)
    for person in people:
        enrolment = db.session.scalar(sa.select(Enrolment).where(Enrolment.user_id == person))
        for release in new_releases:
            if enrolment is not None:
                db.session.add(
                    Progress(enrolment=enrolment, release=release, started_at=clock.now())
                )
        for _ in range(n):
            db.session.add(
                Notification(
                    kind="module_released",
                    recipient_id=person,
                    subject_key=f"growth-{next(_seq)}",
                    title="Growth",
                    body="Growth",
                )
            )
    db.session.commit()


def grow_public_contributors(pilot: Pilot, module: Module, n: int) -> None:
    """Contributors who gave feedback (entered on their behalf, some of it acted on and
    credited) and came to every session of the pilot."""
    db.session.flush()
    sessions = list(
        db.session.scalars(sa.select(CodesignSession).where(CodesignSession.pilot_id == pilot.id))
    )
    for i in range(n):
        person = make_contributor(pilot, name=f"Growth voice {next(_seq)}", consent=i % 2 == 0)
        for session in sessions:
            db.session.add(
                CodesignAttendee(
                    session=session, kind=AttendeeKind.PATIENT_PUBLIC, contributor=person
                )
            )
            db.session.add(
                CodesignAttendee(session=session, kind=AttendeeKind.OTHER, description="Nurse")
            )
        db.session.add(
            FeedbackItem(
                module_version_id=module.latest.id,
                source=FeedbackSource.PATIENT_PUBLIC,
                pilot_id=pilot.id,
                contributor_id=person.id,
                text="Growth public feedback",
                status=FeedbackStatus.DONE,
                addressed_by_version_id=module.latest.id,
            )
        )
