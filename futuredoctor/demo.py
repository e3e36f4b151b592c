"""Demo data so every page shows something real. Repeatable: everything is looked up by
its natural key first, so running it twice creates nothing new.

Every date is relative to the day it runs and tells one story: a module version was
published before it was released, people enrolled in the cohort's window before the first
release, started a module after it was released and gave feedback when they finished it,
and nothing has happened later than now. Which cohorts are used: ``demo_cohorts``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from futuredoctor import clock
from futuredoctor.demo_cohorts import enrolling_cohort, running_cohort
from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    ConsentRecord,
    ConsentStatement,
    Enrolment,
    EnrolmentStatus,
    FeedbackItem,
    FeedbackSource,
    FeedbackStatus,
    Module,
    ModuleVersion,
    Pilot,
    Progress,
    Region,
    Release,
    Role,
    RoleGrant,
    User,
    utcnow,
)
from futuredoctor.passwords import hash_password

DEMO_PASSWORD = "pilot-demo-2026"  # noqa: S105  (printed for local demos only)
DOMAIN = "example.nhs.uk"

CONSENT_TEXT = (
    "I agree that my enrolment, progress and feedback records may be used, under a study "
    "code and without my name, email or registration number, by the academic team "
    "evaluating the Future Doctor pilots. I can withdraw this consent at any time without "
    "affecting my place in the pilot."
)

PARTICIPANTS = {
    "LON": [
        ("Amara", "Okafor", "doctor", "GMC", "7123456", "FY2"),
        ("Tom", "Hughes", "doctor", "GMC", "7234561", "FY1"),
        ("Priya", "Shah", "pharmacist", "GPhC", "2087654", "other"),
        ("Lewis", "Grant", "nurse", "NMC", "12A3456E", "other"),
        ("Sofia", "Marin", "doctor", "GMC", "7345612", "CT1"),
        ("Daniel", "Boateng", "allied_health", "HCPC", "PA123456", "other"),
    ],
    "SW": [
        ("Hannah", "Pascoe", "doctor", "GMC", "7456123", "FY2"),
        ("Owen", "Trevithick", "nurse", "NMC", "15C7788A", "other"),
        ("Megan", "Rowe", "doctor", "GMC", "7561234", "LED"),
        ("Ali", "Haddad", "midwife", "NMC", "09B1234C", "other"),
    ],
}


def create_demo_data(password: str) -> list[tuple[str, str]]:
    """Create (or find) demo people and activity; returns one (role, email) per role."""
    password_hash = hash_password(password)
    regions = {r.code: r for r in db.session.scalars(sa.select(Region))}
    if not {"LON", "SW"} <= regions.keys():
        raise RuntimeError("Load content first: flask content sync")
    pilot = {code: _first_pilot(regions[code]) for code in ("LON", "SW")}
    cohort = {code: running_cohort(pilot[code], _anchor(code)) for code in pilot}

    def person(local: str, given: str, family: str, **extra: Any) -> User:
        return _user(f"{local}@{DOMAIN}", given, family, password_hash, **extra)

    admin = person("national.admin", "Nadia", "Rahman")
    _grant(admin, Role.NATIONAL_ADMIN)
    lead_lon = person("regional.lead.london", "Marcus", "Adeyemi")
    _grant(lead_lon, Role.REGIONAL_LEAD, region=regions["LON"])
    lead_sw = person("regional.lead.southwest", "Kerensa", "Polglase")
    _grant(lead_sw, Role.REGIONAL_LEAD, region=regions["SW"])
    educator = person("lead.educator.london", "Ruth", "Abernethy")
    _grant(educator, Role.LEAD_EDUCATOR, pilot=pilot["LON"])
    pilot_admin = person("pilot.admin.london", "Jamal", "Idris")
    _grant(pilot_admin, Role.PILOT_ADMIN, pilot=pilot["LON"])
    evaluator = person("evaluator", "Ingrid", "Solberg")
    _grant(evaluator, Role.EVALUATOR, region=regions["LON"])
    _grant(evaluator, Role.EVALUATOR, region=regions["SW"])
    champion = person("champion.southwest", "Gwen", "Tremayne")
    _grant(champion, Role.CHAMPION, region=regions["SW"])

    statement = _consent_statement()
    modules = {m.slug: m for m in db.session.scalars(sa.select(Module))}
    now = utcnow()
    today = clock.today_uk()
    plan = {
        "LON": [
            ("inclusion-health-homelessness", -40),
            ("shared-decision-making", -30),
            ("multimorbidity-whole-person-care", -12),
            ("human-factors-team-science", -3),
            ("population-health-data", 7),
            ("leading-across-boundaries", 21),
        ],
        "SW": [
            ("coastal-rural-health-inequalities", -20),
            ("self-care-and-sustainable-practice", -6),
            ("teaching-on-the-job", 10),
        ],
    }
    first_participant = None
    demo_people: list[str] = []
    for code, people in PARTICIPANTS.items():
        releases = []
        for slug, days in plan[code]:
            if slug in modules:
                release_at = _uk_time(today + timedelta(days=days), time(9))
                releases.append(_release(modules[slug], cohort[code], release_at, lead_lon))
        first_release = min((r.release_at for r in releases), default=now)
        for index, (given, family, group, body, number, stage) in enumerate(people):
            local = "participant" if (code, index) == ("LON", 0) else f"{given}.{family}".lower()
            user = person(
                local,
                given,
                family,
                professional_group=group,
                registration_body=body,
                registration_number=number,
                career_stage=stage,
                employer=f"{regions[code].name} demo NHS trust",
            )
            first_participant = first_participant or user
            demo_people.append(user.email)
            _grant(user, Role.PARTICIPANT)
            enrolment = _enrol(user, cohort[code], _enrolled_at(cohort[code], first_release, index))
            if not enrolment.consents:
                db.session.add(
                    ConsentRecord(
                        enrolment=enrolment,
                        statement=statement,
                        given=index % 4 != 3,
                        recorded_at=enrolment.enrolled_at,  # asked when they enrolled
                    )
                )
            _activity(enrolment, [r for r in releases if r.release_at <= now], index)
    db.session.flush()
    assert first_participant is not None
    # Feature demo data (each call is repeatable), then the logins to print.
    from futuredoctor.releases.demo import create_release_demo_data

    create_release_demo_data(first_participant)
    from futuredoctor.enrolment.demo import create_enrolment_demo

    create_enrolment_demo(pilot_admin, enrolling_cohort(pilot["LON"], _person_named("noah.clarke")))
    from futuredoctor.learning.demo import create_learning_demo_data

    create_learning_demo_data(first_participant)
    from futuredoctor.livinglab.demo import create_living_lab_demo

    create_living_lab_demo(educator.email, first_participant.email, demo_people)
    from futuredoctor.evaluation.demo import create_evaluation_demo

    create_evaluation_demo(admin, evaluator)
    return [
        (Role.PARTICIPANT.label, first_participant.email),
        (Role.LEAD_EDUCATOR.label, educator.email),
        (Role.PILOT_ADMIN.label, pilot_admin.email),
        (Role.REGIONAL_LEAD.label, lead_lon.email),
        (Role.EVALUATOR.label, evaluator.email),
        (Role.CHAMPION.label, champion.email),
        (Role.NATIONAL_ADMIN.label, admin.email),
    ]


def _first_pilot(region: Region) -> Pilot:
    return sorted(region.pilots, key=lambda p: p.slug)[0]


def _person_named(local: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == f"{local}@{DOMAIN}"))


def _anchor(code: str) -> User | None:
    """The region's first demo participant, if an earlier run made them: their cohort is
    the one that run filled."""
    given, family = PARTICIPANTS[code][0][:2]
    return _person_named("participant" if code == "LON" else f"{given}.{family}".lower())


def _uk_time(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=clock.local_zone()).astimezone(UTC)


def _enrolled_at(cohort: Cohort, first_release: datetime, index: int) -> datetime:
    """A day in the cohort's enrolment window, a week or more before the first release."""
    latest = min(cohort.enrolment_closes, first_release.astimezone(clock.local_zone()).date())
    day = max(cohort.enrolment_opens, latest - timedelta(days=7 + 3 * index))
    return min(_uk_time(day, time(10)), first_release - timedelta(days=1))


def _user(email: str, given: str, family: str, password_hash: str, **extra: Any) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, given_name=given, family_name=family, **extra)
        db.session.add(user)
    user.password_hash = password_hash
    db.session.flush()
    return user


def _grant(user: User, role: Role, region: Region | None = None, pilot: Pilot | None = None):
    for grant in user.grants:
        if grant.role is role and grant.region == region and grant.pilot == pilot:
            return grant
    grant = RoleGrant(user=user, role=role, region=region, pilot=pilot)
    db.session.add(grant)
    db.session.flush()
    return grant


def _consent_statement() -> ConsentStatement:
    statement = db.session.scalar(sa.select(ConsentStatement).where(ConsentStatement.version == 1))
    if statement is None:
        # In force since well before the demo's cohorts enrolled.
        statement = ConsentStatement(
            version=1, body=CONSENT_TEXT, effective_from=utcnow() - timedelta(days=400)
        )
        db.session.add(statement)
        db.session.flush()
    return statement


def _release(module: Module, cohort: Cohort, release_at: Any, creator: User) -> Release:
    """The demo's first release of this module to the cohort, whichever version it was:
    later versions (published in the demo or by people) must not add another."""
    release = db.session.scalar(
        sa.select(Release)
        .join(Release.module_version)
        .where(ModuleVersion.module_id == module.id, Release.cohort_id == cohort.id)
        .order_by(Release.id)
        .limit(1)
    )
    if release is None:
        release = Release(
            module_version=module.versions[0],
            cohort=cohort,
            release_at=release_at,
            created_by_id=creator.id,
            created_at=min(utcnow(), release_at - timedelta(days=7)),  # scheduled ahead
        )
        db.session.add(release)
        db.session.flush()
    _published_before(release.module_version, release.created_at)
    return release


def _published_before(version: ModuleVersion, moment: datetime) -> None:
    """Content sync stamps a version with the day it loaded it; the demo's story released
    it weeks ago, so it must have been published before that."""
    earlier = moment - timedelta(days=14)
    if version.published_at > earlier:
        version.published_at = earlier
    if version.module.created_at > version.published_at:
        version.module.created_at = version.published_at


def _enrol(user: User, cohort: Cohort, enrolled_at: datetime) -> Enrolment:
    enrolment = db.session.scalar(
        sa.select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.cohort_id == cohort.id)
    )
    if enrolment is None:
        enrolment = Enrolment(
            user=user,
            cohort=cohort,
            status=EnrolmentStatus.ENROLLED,
            enrolled_at=enrolled_at,
            created_at=enrolled_at,
        )
        db.session.add(enrolment)
        db.session.flush()
    return enrolment


FEEDBACK_TEXT = [
    "The case study felt very close to my last on-call. More on handover would help.",
    "Useful, but the second activity needs more time than suggested.",
    "Please add an example from a community setting, not only hospital wards.",
]


def _activity(enrolment: Enrolment, released: list[Release], seed: int) -> None:
    """Progress on the older releases and feedback on completed ones, varied by person;
    nothing dated after now (a module released three days ago may be started, not done)."""
    now = utcnow()
    existing = {
        p.release_id
        for p in db.session.scalars(
            sa.select(Progress).where(Progress.enrolment_id == enrolment.id)
        )
    }
    for position, release in enumerate(sorted(released, key=lambda r: r.release_at)):
        if release.id in existing or position > (seed % 3) + 1:
            continue
        started = release.release_at + timedelta(days=1 + seed % 2)
        completed = started + timedelta(days=2) if position < (seed % 3) + 1 else None
        if started > now:
            continue
        if completed is not None and completed > now:
            completed = None
        db.session.add(
            Progress(
                enrolment=enrolment, release=release, started_at=started, completed_at=completed
            )
        )
        if completed is not None:
            db.session.add(
                FeedbackItem(
                    module_version_id=release.module_version_id,
                    enrolment=enrolment,
                    source=FeedbackSource.PARTICIPANT,
                    relevance=3 + (seed + position) % 3,
                    quality=2 + (seed * 2 + position) % 4,
                    applicability=3 + position % 3,
                    text=FEEDBACK_TEXT[(seed + position) % len(FEEDBACK_TEXT)],
                    status=FeedbackStatus.RECEIVED,
                    created_at=completed,
                )
            )
    db.session.flush()
