"""Registering for opportunities: places, the waiting list, cancelling, attendance, and
thirty people pressing "Register" at once for ten places."""

from __future__ import annotations

import threading
from datetime import time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from futuredoctor.community import opportunities, registrations
from futuredoctor.extensions import db
from futuredoctor.models import (
    Notification,
    Opportunity,
    Registration,
    RegistrationStatus,
    Role,
    User,
)
from futuredoctor.refusals import Refusal
from tests.community.champions import make_champion, make_opportunity, opportunity_input
from tests.dates import next_clock_change, today
from tests.factories import make_user


def _participants(n: int, **fields: Any) -> list[User]:
    return [make_user(roles=[(Role.PARTICIPANT, None)], **fields) for _ in range(n)]


def _statuses(opportunity: Opportunity) -> list[RegistrationStatus]:
    return [r.status for r in registrations.registrations_for(opportunity)]


def test_places_then_the_waiting_list_and_a_freed_place_goes_to_the_next(app: Any) -> None:
    opportunity = make_opportunity(capacity=2)
    first, second, third, fourth = _participants(4)
    for person in (first, second, third, fourth):
        registrations.register(opportunity, person)
    assert _statuses(opportunity) == ["registered", "registered", "waitlisted", "waitlisted"]
    assert opportunity.places_taken == 2

    _, changed = registrations.register(opportunity, first)  # a second click
    assert changed is False and opportunity.places_taken == 2

    registrations.cancel(registrations.registration_of(opportunity, second))  # type: ignore[arg-type]
    assert registrations.registration_of(opportunity, third).status is RegistrationStatus.REGISTERED  # type: ignore[union-attr]
    assert opportunity.places_taken == 2
    note = db.session.scalar(sa.select(Notification).where(Notification.recipient_id == third.id))
    assert note is not None and "You have a place" in note.title

    registrations.cancel(registrations.registration_of(opportunity, fourth))  # type: ignore[arg-type]
    assert opportunity.places_taken == 2  # a waiting place freed nothing


def test_more_capacity_fills_from_the_waiting_list_and_less_than_taken_is_refused(
    app: Any,
) -> None:
    organiser, _ = make_champion("LON")
    opportunity = make_opportunity(organiser, capacity=1)
    people = _participants(3)
    for person in people:
        registrations.register(opportunity, person)
    opportunities.change(opportunity, organiser, opportunity_input(capacity=2))
    assert _statuses(opportunity).count(RegistrationStatus.REGISTERED) == 2
    with pytest.raises(Refusal) as refused:
        opportunities.change(opportunity, organiser, opportunity_input(capacity=1))
    assert refused.value.field == "capacity"
    assert "2 people already registered" in refused.value.message


def test_an_opportunity_not_meant_for_you_or_closed_is_refused(
    app: Any, frozen_now: Any, time_machine: Any
) -> None:
    opportunity = make_opportunity(career_stages=["FY1"], professional_groups=["doctor"])
    nurse = make_user(
        roles=[(Role.PARTICIPANT, None)], professional_group="nurse", career_stage="FY1"
    )
    doctor = make_user(
        roles=[(Role.PARTICIPANT, None)], professional_group="doctor", career_stage="FY1"
    )
    with pytest.raises(Refusal, match="not open to you"):
        registrations.register(opportunity, nurse)
    assert opportunity.id not in [o.id for o in opportunities.for_person(nurse, 1).items]
    assert opportunity.id in [o.id for o in opportunities.for_person(doctor, 1).items]
    time_machine.move_to(opportunity.closes_at + timedelta(seconds=1), tick=False)
    with pytest.raises(Refusal, match="Registration closed"):
        registrations.register(opportunity, doctor)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_regional_audiences_follow_the_pilots_people_are_enrolled_in(app: Any) -> None:
    from tests.factories import current_cohorts, make_enrolment

    opportunity = make_opportunity(regions=["SW"])
    londoner, westcountry = _participants(2)
    cohorts = current_cohorts()
    make_enrolment(londoner, cohorts["lon-current"])
    make_enrolment(westcountry, cohorts["sw-current"])
    assert not opportunities.is_meant_for(opportunity, londoner)
    assert opportunities.is_meant_for(opportunity, westcountry)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"start_day": next_clock_change(True), "start_time": time(1, 30)},
            "start_time",
            "does not exist in UK time",
        ),
        (
            {"start_day": next_clock_change(False), "start_time": time(1, 30), "end_time": time(3)},
            "start_time",
            "happens twice in UK time",
        ),
        ({"end_time": time(9)}, "end_time", "End time must be after the start time"),
        ({"closes_on": today() - timedelta(days=1)}, "closes_on_day", "today or later"),
        ({"closes_on": today() + timedelta(days=20)}, "closes_on_day", "on or before the day"),
        (
            {"start_day": today() - timedelta(days=2), "closes_on": today()},
            "start_time",
            "in the past",
        ),
        ({"region_code": "SW"}, "region", "Choose a region you organise in"),
        ({"regions": ["XX"]}, "regions", "Choose regions from the list"),
    ],
)
def test_bad_opportunities_are_refused_and_nothing_is_written(
    app: Any, overrides: dict[str, Any], field: str, message: str
) -> None:
    organiser, _ = make_champion("LON")
    with pytest.raises(Refusal) as refused:
        opportunities.publish(organiser, opportunity_input(**overrides))
    assert (refused.value.field, message in refused.value.message) == (field, True)


def test_attendance_is_marked_among_those_holding_a_place(app: Any) -> None:
    opportunity = make_opportunity(capacity=1)
    came, waited = _participants(2)
    registrations.register(opportunity, came)
    registrations.register(opportunity, waited)
    rows = {r.user_id: r for r in registrations.registrations_for(opportunity)}
    assert registrations.mark_attendance(opportunity, {rows[came.id].id, rows[waited.id].id}) == 1
    assert rows[came.id].status is RegistrationStatus.ATTENDED
    assert rows[waited.id].status is RegistrationStatus.WAITLISTED
    with pytest.raises(Refusal):
        registrations.cancel(rows[came.id])


def test_thirty_at_once_for_ten_places_gives_exactly_ten(app: Flask) -> None:
    opportunity = make_opportunity(capacity=10)
    people = _participants(30)
    db.session.commit()
    opportunity_id, ids = opportunity.id, [p.id for p in people]
    start = threading.Barrier(len(ids))
    errors: list[BaseException] = []

    def press_register(user_id: int) -> None:
        with app.app_context():
            try:
                start.wait(timeout=30)  # before any connection is taken from the pool
                found = db.session.get(Opportunity, opportunity_id)
                person = db.session.get(User, user_id)
                assert found is not None and person is not None
                registrations.register(found, person)
                db.session.commit()
            except BaseException as error:  # reported below
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=press_register, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    db.session.expire_all()
    counts = dict(
        db.session.execute(
            sa.select(Registration.status, sa.func.count())
            .where(Registration.opportunity_id == opportunity_id)
            .group_by(Registration.status)
        ).all()
    )
    assert counts == {RegistrationStatus.REGISTERED: 10, RegistrationStatus.WAITLISTED: 20}
    assert db.session.get(Opportunity, opportunity_id).places_taken == 10  # type: ignore[union-attr]


def test_reminders_are_queued_once_for_people_with_a_place(app: Any) -> None:
    from futuredoctor import clock

    soon = make_opportunity(capacity=1)
    holder, waiting = _participants(2)
    registrations.register(soon, holder)
    registrations.register(soon, waiting)
    make_opportunity(title="Later", start_day=today() + timedelta(days=30))
    before = soon.starts_at - timedelta(hours=2)
    assert registrations.queue_reminders(before - timedelta(days=2)) == 0  # not yet due
    assert registrations.queue_reminders(before) == 1
    assert registrations.queue_reminders(before) == 0  # a rerun sends nothing twice
    note = db.session.scalar(
        sa.select(Notification).where(Notification.kind == registrations.REMINDER_KIND)
    )
    assert note is not None and note.recipient_id == holder.id
    assert clock.now() < soon.starts_at
