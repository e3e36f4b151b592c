"""A participant with modules released to their cohort, and people around them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.learning.services import gpc_domains
from futuredoctor.models import (
    Cohort,
    Enrolment,
    Module,
    ModuleVersion,
    Release,
    Role,
    User,
)
from tests.factories import make_enrolment, make_module, make_region_tree, make_release, make_user


@dataclass
class Journey:
    participant: User
    other: User
    educator: User
    cohort: Cohort
    modules: dict[str, Module]
    releases: dict[str, Release]


def add_version(module: Module, number: int, minutes: int = 30, title: str | None = None):
    first = module.versions[0]
    version = ModuleVersion(
        module=module,
        number=number,
        title=title or f"{first.title} v{number}",
        summary=first.summary,
        estimated_minutes=minutes,
        delivery_mode="online",
        learning_outcomes=["Do it better"],
        body_markdown=f"## Version {number}\n\nRevised text.",
        changelog=f"Changes in version {number}",
        content_hash=f"{module.id:032d}{number:032d}",
    )
    db.session.add(version)
    db.session.flush()
    return version


def map_domains(version: ModuleVersion, *codes: str) -> None:
    domains = {d.code: d for d in gpc_domains()}
    version.domains = [domains[c] for c in codes]
    db.session.flush()


@pytest.fixture
def journey(db_session: Any) -> Journey:
    region = make_region_tree()
    pilot = region.pilots[0]
    cohort = pilot.cohorts[0]
    participant = make_user(
        email="amara@example.nhs.uk",
        roles=[(Role.PARTICIPANT, None)],
        given_name="Amara",
        family_name="Okafor",
        registration_body="GMC",
        registration_number="7123456",
        career_stage="FY2",
    )
    other = make_user(email="tom@example.nhs.uk", roles=[(Role.PARTICIPANT, None)])
    educator = make_user(email="educator@example.nhs.uk", roles=[(Role.LEAD_EDUCATOR, pilot)])
    make_enrolment(participant, cohort)
    make_enrolment(other, cohort)
    codes = sorted(d.code for d in gpc_domains())
    modules, releases = {}, {}
    for name, days, domain_codes in [
        ("old", -40, codes[:2]),
        ("recent", -5, codes[1:3]),
        ("today", -0.01, codes[4:5]),
        ("future", 5, codes[:1]),
    ]:
        module = make_module(slug=f"mod-{name}", title=f"Module {name}")
        map_domains(module.versions[0], *domain_codes)
        modules[name] = module
        releases[name] = make_release(module.versions[0], cohort, days_from_now=days)
    db.session.commit()
    return Journey(participant, other, educator, cohort, modules, releases)


def count(model: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def enrolment_of(user: User) -> Enrolment:
    return db.session.scalars(sa.select(Enrolment).where(Enrolment.user_id == user.id)).one()
