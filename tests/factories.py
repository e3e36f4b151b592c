"""Plain factory functions: each makes one valid record with overridable fields.

Dates are built relative to the app clock's today (UK), never taken from the shipped
``regions/*.toml`` cohorts, so the suite passes whatever instant it runs at.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from futuredoctor import clock
from futuredoctor.extensions import db
from futuredoctor.models import (
    CAREER_STAGES,
    Cohort,
    ConsentRecord,
    ConsentStatement,
    Enrolment,
    EnrolmentStatus,
    Module,
    ModuleVersion,
    Pilot,
    ProfessionalGroup,
    Region,
    Release,
    Role,
    RoleGrant,
    User,
    utcnow,
)
from futuredoctor.passwords import hash_password

PASSWORD = "correct-horse-battery"
_HASH = hash_password(PASSWORD)
_seq = itertools.count(1)


def make_user(
    email: str | None = None,
    roles: list[tuple[Role, Region | Pilot | None]] | None = None,
    password: str | None = None,
    **fields: Any,
) -> User:
    n = next(_seq)
    user = User(
        email=(email or f"person{n}@example.nhs.uk").lower(),
        given_name=fields.pop("given_name", "Test"),
        family_name=fields.pop("family_name", f"Person {n}"),
        password_hash=_HASH if password is None else hash_password(password),
        **fields,
    )
    db.session.add(user)
    for role, scope in roles or []:
        db.session.add(
            RoleGrant(
                user=user,
                role=role,
                region=scope if isinstance(scope, Region) else None,
                pilot=scope if isinstance(scope, Pilot) else None,
            )
        )
    db.session.flush()
    return user


def days_from_today(days: int) -> date:
    """A UK calendar day relative to the app clock's today."""
    return clock.today_uk() + timedelta(days=days)


def make_region_tree(code: str | None = None) -> Region:
    """A region with one pilot and one cohort open now."""
    n = next(_seq)
    code = code or f"T{n}"
    region = Region(code=code, name=f"Test region {code}", priorities=["Test priority"])
    pilot = Pilot(
        region=region,
        slug=f"{code.lower()}-pilot",
        name=f"{code} pilot",
        summary="A test pilot.",
        start_date=days_from_today(-90),
    )
    make_cohort(pilot)
    db.session.add(region)
    db.session.flush()
    return region


def make_cohort(pilot: Pilot, **fields: Any) -> Cohort:
    """A cohort open now: it started a month ago, takes enrolments for two more months and
    runs for eighteen, long enough for any release date a test picks within the next year
    (the next clock change, next summer)."""
    n = next(_seq)
    cohort = Cohort(
        pilot=pilot,
        slug=fields.pop("slug", f"{pilot.slug}-cohort-{n}"),
        name=fields.pop("name", f"Cohort {n}"),
        capacity=fields.pop("capacity", 20),
        enrolment_opens=fields.pop("enrolment_opens", days_from_today(-60)),
        enrolment_closes=fields.pop("enrolment_closes", days_from_today(60)),
        starts_on=fields.pop("starts_on", days_from_today(-30)),
        ends_on=fields.pop("ends_on", days_from_today(540)),
        eligible_professional_groups=fields.pop("eligible_professional_groups", ["doctor"]),
        eligible_career_stages=fields.pop("eligible_career_stages", ["FY1", "FY2"]),
        **fields,
    )
    db.session.add(cohort)
    db.session.flush()
    return cohort


def shipped_pilot(region_code: str) -> Pilot:
    """The (first) pilot the shipped content gives a region: pilots carry no dates that
    matter to the tests, unlike the shipped cohorts."""
    return db.session.scalars(
        sa.select(Pilot).join(Region).where(Region.code == region_code).order_by(Pilot.slug)
    ).first()


def make_current_cohort(region_code: str, slug: str, name: str, **fields: Any) -> Cohort:
    """A cohort open now in the shipped pilot of a region (e.g. "LON", "SW")."""
    return make_cohort(shipped_pilot(region_code), slug=slug, name=name, **fields)


# The cohorts most tests use, in the shipped London and South West pilots: London's current
# one (running, still enrolling), London's next one (enrolling, starts in six weeks) and
# the South West's current one (another region, for scope checks).
CURRENT_COHORTS: dict[str, tuple[str, str, dict[str, int]]] = {
    "lon-current": ("LON", "Current cohort", {}),
    "lon-next": (
        "LON",
        "Next cohort",
        {"enrolment_opens": -10, "enrolment_closes": 30, "starts_on": 45, "ends_on": 585},
    ),
    "sw-current": ("SW", "South West current cohort", {}),
}


def current_cohorts() -> dict[str, Cohort]:
    """London's and the South West's cohorts open now (see ``CURRENT_COHORTS``), made on
    first use in this database and found by slug after that."""
    found = {
        c.slug: c
        for c in db.session.scalars(sa.select(Cohort).where(Cohort.slug.in_(CURRENT_COHORTS)))
    }
    for slug, (region_code, name, offsets) in CURRENT_COHORTS.items():
        if slug not in found:
            dates = {field: days_from_today(days) for field, days in offsets.items()}
            found[slug] = make_current_cohort(
                region_code,
                slug,
                name,
                capacity=120,
                eligible_professional_groups=[g.value for g in ProfessionalGroup],
                eligible_career_stages=list(CAREER_STAGES),
                **dates,
            )
    return found


def make_module(slug: str | None = None, title: str = "Test module") -> Module:
    n = next(_seq)
    module = Module(slug=slug or f"test-module-{n}")
    version = ModuleVersion(
        module=module,
        number=1,
        title=title,
        summary="A test module.",
        estimated_minutes=20,
        delivery_mode="online",
        learning_outcomes=["Do a thing"],
        body_markdown="## Body\n\nText.",
        changelog="First",
        content_hash=f"{n:064d}",
    )
    db.session.add_all([module, version])
    db.session.flush()
    return module


def make_enrolment(
    user: User,
    cohort: Cohort,
    status: EnrolmentStatus = EnrolmentStatus.ENROLLED,
    consent: bool | None = None,
) -> Enrolment:
    enrolment = Enrolment(user=user, cohort=cohort, status=status, enrolled_at=utcnow())
    db.session.add(enrolment)
    if consent is not None:
        statement = db.session.query(ConsentStatement).filter_by(version=1).one_or_none()
        if statement is None:
            statement = ConsentStatement(version=1, body="Consent text")
            db.session.add(statement)
        db.session.add(ConsentRecord(enrolment=enrolment, statement=statement, given=consent))
    db.session.flush()
    return enrolment


def make_release(version: ModuleVersion, cohort: Cohort, days_from_now: float = -1) -> Release:
    release = Release(
        module_version=version, cohort=cohort, release_at=utcnow() + timedelta(days=days_from_now)
    )
    db.session.add(release)
    db.session.flush()
    return release
