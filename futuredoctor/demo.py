"""Demo data so every page shows something real. Repeatable: everything is looked up by
its natural key first, so running it twice creates nothing new."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

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
    cohort = {code: pilot[code].cohorts[0] for code in pilot}

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
    for code, people in PARTICIPANTS.items():
        releases = []
        for slug, days in plan[code]:
            if slug in modules:
                release_at = (now + timedelta(days=days)).replace(
                    hour=9, minute=0, second=0, microsecond=0
                )
                releases.append(_release(modules[slug], cohort[code], release_at, lead_lon))
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
            _grant(user, Role.PARTICIPANT)
            enrolment = _enrol(user, cohort[code])
            if not enrolment.consents:
                db.session.add(
                    ConsentRecord(enrolment=enrolment, statement=statement, given=index % 4 != 3)
                )
            _activity(enrolment, [r for r in releases if r.release_at <= now], index)
    db.session.flush()
    assert first_participant is not None
    # Feature demo data (each call is repeatable), then the logins to print.
    from futuredoctor.releases.demo import create_release_demo_data

    create_release_demo_data(first_participant)
    from futuredoctor.enrolment.demo import create_enrolment_demo

    create_enrolment_demo(pilot_admin)
    from futuredoctor.learning.demo import create_learning_demo_data

    create_learning_demo_data(first_participant)
    from futuredoctor.livinglab.demo import create_living_lab_demo

    create_living_lab_demo(educator.email, first_participant.email)
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
        statement = ConsentStatement(version=1, body=CONSENT_TEXT)
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
        )
        db.session.add(release)
        db.session.flush()
    return release


def _enrol(user: User, cohort: Cohort) -> Enrolment:
    enrolment = db.session.scalar(
        sa.select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.cohort_id == cohort.id)
    )
    if enrolment is None:
        enrolment = Enrolment(
            user=user, cohort=cohort, status=EnrolmentStatus.ENROLLED, enrolled_at=utcnow()
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
    """Progress on the older releases and feedback on completed ones, varied by person."""
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
