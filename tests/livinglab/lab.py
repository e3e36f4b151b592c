"""Living-lab test data: a London and a South West pilot, each with a module released
to a cohort open now and feedback on it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.models import (
    AttendeeKind,
    CodesignAttendee,
    Cohort,
    ContributorInvolvement,
    FeedbackItem,
    FeedbackSource,
    Involvement,
    Module,
    Pilot,
    PublicContributor,
    Role,
    User,
)
from tests.factories import (
    current_cohorts,
    days_from_today,
    make_enrolment,
    make_release,
    make_user,
)

MODULE = "shared-decision-making"
SW_MODULE = "teaching-on-the-job"


@dataclass
class Lab:
    educator: User
    sw_educator: User
    admin: User
    participant: User
    london: Cohort
    southwest: Cohort
    module: Module
    sw_module: Module
    items: list[FeedbackItem] = field(default_factory=list)
    sw_items: list[FeedbackItem] = field(default_factory=list)


def by_slug(model, slug):
    return db.session.scalar(sa.select(model).where(model.slug == slug))


def give_feedback(
    cohort: Cohort,
    module: Module,
    ratings: tuple[int, int, int] = (4, 4, 4),
    text: str | None = "Useful module",
    notify: bool = False,
    user: User | None = None,
) -> FeedbackItem:
    user = user or make_user(roles=[(Role.PARTICIPANT, None)])
    enrolment = make_enrolment(user, cohort)
    item = FeedbackItem(
        module_version_id=module.latest.id,
        enrolment_id=enrolment.id,
        source=FeedbackSource.PARTICIPANT,
        relevance=ratings[0],
        quality=ratings[1],
        applicability=ratings[2],
        text=text,
        notify_on_action=notify,
    )
    db.session.add(item)
    db.session.flush()
    return item


@pytest.fixture
def lab(app) -> Lab:
    cohorts = current_cohorts()
    london, southwest = cohorts["lon-current"], cohorts["sw-current"]
    module, sw_module = by_slug(Module, MODULE), by_slug(Module, SW_MODULE)
    make_release(module.latest, london)
    make_release(sw_module.latest, southwest)
    participant = make_user(roles=[(Role.PARTICIPANT, None)])
    lab = Lab(
        educator=make_user(roles=[(Role.LEAD_EDUCATOR, by_slug(Pilot, "lon-inclusion-health"))]),
        sw_educator=make_user(
            roles=[(Role.LEAD_EDUCATOR, by_slug(Pilot, "sw-remote-rural-coastal"))]
        ),
        admin=make_user(roles=[(Role.NATIONAL_ADMIN, None)]),
        participant=participant,
        london=london,
        southwest=southwest,
        module=module,
        sw_module=sw_module,
    )
    lab.items = [
        give_feedback(london, module, (5, 4, 4), "Great case study", notify=True, user=participant),
        give_feedback(london, module, (2, 3, 3), "Too long for a night shift"),
        give_feedback(london, module, (4, 1, 4), None),
    ]
    lab.sw_items = [give_feedback(southwest, sw_module, (3, 3, 3), "South West comment")]
    db.session.commit()
    return lab


def route_samples() -> dict[str, int]:
    """Feedback items and co-design sessions inside (London) and outside (South West) a
    London lead educator's scope, for the route-permission walk; the London and South
    West sample modules are released to their cohorts."""
    from futuredoctor.models import CodesignSession

    cohorts = current_cohorts()
    london, southwest = cohorts["lon-current"], cohorts["sw-current"]
    module, sw_module = by_slug(Module, MODULE), by_slug(Module, SW_MODULE)
    make_release(module.latest, london)
    make_release(sw_module.latest, southwest)
    items = [give_feedback(london, module), give_feedback(southwest, sw_module)]
    sessions = [
        CodesignSession(pilot=cohort.pilot, held_on=days_from_today(-30), title="Review")
        for cohort in (london, southwest)
    ]
    db.session.add_all(sessions)
    people = [make_contributor(cohort.pilot) for cohort in (london, southwest)]
    # Each came to their pilot's session, so retiring them keeps the record.
    db.session.add_all(
        CodesignAttendee(session=session, kind=AttendeeKind.PATIENT_PUBLIC, contributor=person)
        for session, person in zip(sessions, people, strict=True)
    )
    db.session.commit()
    return {
        "london-feedback": items[0].id,
        "southwest-feedback": items[1].id,
        "london-session": sessions[0].id,
        "southwest-session": sessions[1].id,
        "london-contributor": people[0].id,
        "southwest-contributor": people[1].id,
    }


def make_contributor(
    pilot: Pilot,
    name: str = "Harbour Reader",
    consent: bool = True,
    kinds: tuple[Involvement, ...] = (Involvement.CODESIGN,),
) -> PublicContributor:
    contributor = PublicContributor(
        pilot=pilot,
        display_name=name,
        credit_consent=consent,
        credit_consent_on=days_from_today(-7),
        involvements=[ContributorInvolvement(kind=k) for k in kinds],
    )
    db.session.add(contributor)
    db.session.flush()
    return contributor
