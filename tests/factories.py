"""Plain factory functions: each makes one valid record with overridable fields."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    ConsentRecord,
    ConsentStatement,
    Enrolment,
    EnrolmentStatus,
    Module,
    ModuleVersion,
    Pilot,
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


def make_region_tree(code: str | None = None) -> Region:
    """A region with one pilot and one cohort."""
    n = next(_seq)
    code = code or f"T{n}"
    region = Region(code=code, name=f"Test region {code}", priorities=["Test priority"])
    pilot = Pilot(
        region=region,
        slug=f"{code.lower()}-pilot",
        name=f"{code} pilot",
        summary="A test pilot.",
        start_date=date(2026, 9, 1),
    )
    make_cohort(pilot)
    db.session.add(region)
    db.session.flush()
    return region


def make_cohort(pilot: Pilot, **fields: Any) -> Cohort:
    n = next(_seq)
    cohort = Cohort(
        pilot=pilot,
        slug=fields.pop("slug", f"{pilot.slug}-cohort-{n}"),
        name=fields.pop("name", f"Cohort {n}"),
        capacity=fields.pop("capacity", 20),
        enrolment_opens=fields.pop("enrolment_opens", date(2026, 6, 1)),
        enrolment_closes=fields.pop("enrolment_closes", date(2026, 9, 30)),
        starts_on=fields.pop("starts_on", date(2026, 9, 1)),
        ends_on=fields.pop("ends_on", date(2027, 3, 31)),
        eligible_professional_groups=fields.pop("eligible_professional_groups", ["doctor"]),
        eligible_career_stages=fields.pop("eligible_career_stages", ["FY1", "FY2"]),
        **fields,
    )
    db.session.add(cohort)
    db.session.flush()
    return cohort


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
