"""Fixtures for the release pages: London's regional lead, cohorts open now (London's
current and next, the South West's current) and a module version."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from futuredoctor.models import Cohort, Module, ModuleVersion, Region, Role
from tests.dates import tomorrow
from tests.factories import current_cohorts, make_user
from tests.helpers import login


def when(day: date, at: str = "09:00") -> dict[str, str]:
    return {
        "release_day": str(day.day),
        "release_month": str(day.month),
        "release_year": str(day.year),
        "release_time": at,
    }


@pytest.fixture
def london(db_session) -> Region:
    return db_session.scalar(sa.select(Region).where(Region.code == "LON"))


@pytest.fixture
def cohorts(db_session) -> dict[str, Cohort]:
    made = current_cohorts()
    db_session.commit()
    return made


@pytest.fixture
def version(db_session) -> ModuleVersion:
    module = db_session.scalar(sa.select(Module).where(Module.slug == "shared-decision-making"))
    return module.latest


@pytest.fixture
def lead(db_session, london):
    user = make_user(email="lead.lon@example.nhs.uk", roles=[(Role.REGIONAL_LEAD, london)])
    db_session.commit()
    return user


@pytest.fixture
def lead_client(client, lead):
    login(client, lead)
    return client


@pytest.fixture
def schedule_form(version, cohorts) -> Any:
    def build(*slugs: str, day: date | None = None, at: str = "09:00", **extra: Any):
        data: dict[str, Any] = {"version": str(version.id), "cohorts": list(slugs)}
        data.update(when(day or tomorrow(), at))
        data.update(extra)
        return data

    return build
