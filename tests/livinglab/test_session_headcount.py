"""Correcting a recorded co-design session's headcount by type: the organiser's permission,
whole numbers from 0 to 10,000 that cover everyone listed by name, audited, and another
pilot's session not found. Runs on SQLite and PostgreSQL through the ``app`` fixture."""

from __future__ import annotations

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.models import (
    AttendeeKind,
    AuditEvent,
    CodesignAttendee,
    CodesignSession,
    Pilot,
)
from tests.factories import days_from_today
from tests.helpers import login
from tests.livinglab.lab import by_slug

COUNTS = {
    "participants_count": "12",
    "educators_count": "3",
    "patients_public_count": "4",
    "other_professionals_count": "0",
}


def _session(pilot: Pilot) -> CodesignSession:
    session = CodesignSession(
        pilot=pilot, held_on=days_from_today(-5), title="Winter review", participants_count=2
    )
    db.session.add(session)
    db.session.commit()
    return session


def _counts(session: CodesignSession) -> tuple[int, int, int, int]:
    db.session.refresh(session)
    return (
        session.participants_count,
        session.educators_count,
        session.patients_public_count,
        session.other_professionals_count,
    )


def _audits() -> list[AuditEvent]:
    stmt = sa.select(AuditEvent).where(AuditEvent.action == "codesign_headcount_changed")
    return list(db.session.scalars(stmt))


def test_the_organiser_corrects_the_headcount_and_it_is_audited(client, lab) -> None:
    session = _session(lab.london.pilot)
    login(client, lab.educator)
    page = client.get(f"/codesign/{session.id}")
    assert f"/codesign/{session.id}/headcount" in page.get_data(as_text=True)
    form = client.get(f"/codesign/{session.id}/headcount")
    assert form.status_code == 200
    assert 'name="participants_count" type="number" value="2"' in form.get_data(as_text=True)
    saved = client.post(f"/codesign/{session.id}/headcount", data=COUNTS)
    assert saved.status_code == 302
    assert _counts(session) == (12, 3, 4, 0)
    (event,) = _audits()
    assert event.actor_id == lab.educator.id and event.target_id == str(session.id)
    assert event.details["before"]["participants_count"] == 2
    assert event.details["after"]["patients_public_count"] == 4
    again = client.post(f"/codesign/{session.id}/headcount", data=COUNTS)
    assert again.status_code == 302
    assert len(_audits()) == 1  # nothing changed, nothing audited
    shown = client.get(f"/codesign/{session.id}").get_data(as_text=True)
    assert "19" in shown  # the total


def test_bad_counts_are_refused_and_change_nothing(client, lab) -> None:
    session = _session(lab.london.pilot)
    login(client, lab.educator)
    for value, message in (
        ("", "Enter the number of participants, or 0"),
        ("-1", "between 0 and 10,000"),
        ("10001", "between 0 and 10,000"),
        (str(2**70), ""),
        ("abc", "Not a valid integer value."),
        ("1.5", "Not a valid integer value."),
        ("1\x00", ""),
    ):
        response = client.post(
            f"/codesign/{session.id}/headcount", data={**COUNTS, "participants_count": value}
        )
        assert response.status_code == 400, value
        assert message in response.get_data(as_text=True), value
    assert _counts(session) == (2, 0, 0, 0)
    assert _audits() == []
    wide = client.post(  # full-width digits are read as the number, like dates
        f"/codesign/{session.id}/headcount", data={**COUNTS, "participants_count": "１２"}
    )
    assert wide.status_code == 302 and _counts(session)[0] == 12


def test_the_headcount_covers_everyone_listed(client, lab) -> None:
    session = _session(lab.london.pilot)
    db.session.add_all(
        CodesignAttendee(session=session, kind=AttendeeKind.EDUCATOR, description=f"Tutor {n}")
        for n in range(2)
    )
    session.educators_count = 2
    db.session.commit()
    login(client, lab.educator)
    response = client.post(
        f"/codesign/{session.id}/headcount", data={**COUNTS, "educators_count": "1"}
    )
    assert response.status_code == 400
    assert "2 educators are listed by name or role" in response.get_data(as_text=True)
    assert _counts(session) == (2, 2, 0, 0)


def test_another_pilots_session_is_not_found_and_others_are_refused(client, lab) -> None:
    elsewhere = _session(by_slug(Pilot, "sw-remote-rural-coastal"))
    login(client, lab.educator)
    assert client.get(f"/codesign/{elsewhere.id}/headcount").status_code == 404
    assert client.post(f"/codesign/{elsewhere.id}/headcount", data=COUNTS).status_code == 404
    assert client.get("/codesign/99999999999999999999/headcount").status_code == 404
    assert _counts(elsewhere) == (2, 0, 0, 0)
    client.post("/sign-out")
    login(client, lab.participant)
    assert client.post(f"/codesign/{elsewhere.id}/headcount", data=COUNTS).status_code in (
        403,
        404,
    )
    assert _counts(elsewhere) == (2, 0, 0, 0)
    assert _audits() == []
