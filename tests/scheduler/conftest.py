"""Fixtures for scheduler jobs: a London cohort open now with enrolled participants and a module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from futuredoctor.models import (
    Cohort,
    EnrolmentStatus,
    Module,
    ModuleVersion,
    Role,
    User,
)
from tests.dates import next_midweek_noon
from tests.factories import current_cohorts, make_enrolment, make_user


@dataclass
class Scene:
    cohort: Cohort
    version: ModuleVersion
    participants: list[User]


def enrol_participants(cohort: Cohort, count: int) -> list[User]:
    people = []
    for _ in range(count):
        user = make_user(roles=[(Role.PARTICIPANT, None)])
        make_enrolment(user, cohort)
        people.append(user)
    return people


@pytest.fixture
def scene(app, db_session) -> Scene:
    """Three enrolled participants in London's current cohort, plus one waitlisted and one
    withdrawn who must never be notified."""
    app.config["MAIL_BACKEND"] = "memory"
    cohort = current_cohorts()["lon-current"]
    version = db_session.scalar(
        sa.select(Module).where(Module.slug == "shared-decision-making")
    ).latest
    participants = enrol_participants(cohort, 3)
    for status in (EnrolmentStatus.WAITLISTED, EnrolmentStatus.WITHDRAWN):
        make_enrolment(make_user(roles=[(Role.PARTICIPANT, None)]), cohort, status=status)
    db_session.commit()
    return Scene(cohort, version, participants)


@pytest.fixture
def digest_week(time_machine: Any) -> None:
    """Move the clock to a Wednesday noon: the weekly digest is not due on Monday before
    08:00 UK time, which a test run at ``FUTUREDOCTOR_TEST_NOW`` may otherwise fall on."""
    time_machine.move_to(next_midweek_noon(), tick=True)
