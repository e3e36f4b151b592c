"""National admins handle participants' requests to close their accounts: close the
account (settling the request) or keep it open with a note the person receives."""

from __future__ import annotations

import csv
import io
import zipfile

import sqlalchemy as sa

from futuredoctor.models import AccountClosureRequest, AuditEvent, Notification, Role
from tests.factories import make_user
from tests.helpers import login


def _ask(client, person, reason="Leaving the NHS") -> None:
    login(client, person)
    response = client.post("/account/close", data={"reason": reason})
    assert response.status_code == 302
    client.post("/sign-out")


def _people(db_session):
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)], given_name="Ada", family_name="Admin")
    person = make_user(roles=[(Role.PARTICIPANT, None)], given_name="Pat", family_name="Leaver")
    db_session.commit()
    return admin, person


def _request_of(db_session, person) -> AccountClosureRequest:
    db_session.expire_all()
    return db_session.scalars(
        sa.select(AccountClosureRequest).where(AccountClosureRequest.user_id == person.id)
    ).one()


def test_waiting_requests_are_listed_and_closing_settles_them(client, db_session) -> None:
    admin, person = _people(db_session)
    _ask(client, person, reason="Moving abroad")
    login(client, admin)
    listing = client.get("/admin/closure-requests").get_data(as_text=True)
    assert "Pat Leaver" in listing and "Moving abroad" in listing
    assert "1 request to close an account" in client.get("/admin/users").get_data(as_text=True)
    assert "1 request to close an account" in client.get("/").get_data(as_text=True)
    detail = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "Request to close the account" in detail and "Moving abroad" in detail

    response = client.post(f"/admin/users/{person.id}/status", data={"action": "close"})
    assert response.status_code == 302
    request = _request_of(db_session, person)
    assert request.outcome == "closed"
    assert request.processed_by_id == admin.id and request.processed_at is not None
    assert "No requests are waiting" in client.get("/admin/closure-requests").get_data(
        as_text=True
    )
    settled = db_session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "account.closure_request_settled")
    ).one()
    assert settled.details["outcome"] == "closed"


def test_keeping_the_account_open_tells_the_person_why(client, db_session) -> None:
    admin, person = _people(db_session)
    _ask(client, person)
    login(client, admin)
    response = client.post(
        f"/admin/users/{person.id}/closure-request/keep-open",
        data={"note": "Your cohort's evaluation interview is still booked."},
    )
    assert response.status_code == 302
    request = _request_of(db_session, person)
    assert request.outcome == "kept_open"
    assert request.note == "Your cohort's evaluation interview is still booked."
    message = db_session.scalars(
        sa.select(Notification).where(Notification.recipient_id == person.id)
    ).one()
    assert "stays open" in message.body and "interview is still booked" in message.body

    # A second submit (another tab, a double click) finds nothing waiting and changes nothing.
    again = client.post(
        f"/admin/users/{person.id}/closure-request/keep-open",
        data={"note": "Second thoughts"},
        follow_redirects=True,
    )
    assert "has no request waiting" in again.get_data(as_text=True)
    assert _request_of(db_session, person).note.startswith("Your cohort")

    client.post("/sign-out")
    login(client, person)
    page = client.get("/account").get_data(as_text=True)
    assert "kept it open" in page and "interview is still booked" in page
    assert "Request to close your account" in page  # they may ask again


def test_a_note_is_required_and_nothing_is_written_without_one(client, db_session) -> None:
    admin, person = _people(db_session)
    _ask(client, person)
    login(client, admin)
    for note, message in [
        ("   ", "Tell Pat Leaver why the account stays open"),
        ("x" * 2001, "Note must be 2,000 characters or fewer (it has 2,001)"),
    ]:
        response = client.post(
            f"/admin/users/{person.id}/closure-request/keep-open", data={"note": note}
        )
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert message in html and 'href="#note"' in html
        assert _request_of(db_session, person).processed_at is None
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 1
    # (the one notification is the admins' own "request received" message)


def test_other_roles_cannot_see_or_settle_requests(client, db_session) -> None:
    _, person = _people(db_session)
    _ask(client, person)
    login(client, person)
    assert client.get("/admin/closure-requests").status_code == 403
    response = client.post(
        f"/admin/users/{person.id}/closure-request/keep-open", data={"note": "Nope"}
    )
    assert response.status_code == 403
    assert _request_of(db_session, person).processed_at is None


def test_the_decision_is_in_the_persons_data_download_and_formula_safe(
    client, db_session
) -> None:
    admin, person = _people(db_session)
    _ask(client, person, reason="=HYPERLINK(\"http://example.com\")")
    login(client, admin)
    client.post(
        f"/admin/users/{person.id}/closure-request/keep-open",
        data={"note": "=1+1 is not a reason to leave"},
    )
    client.post("/sign-out")
    login(client, person)
    archive = zipfile.ZipFile(io.BytesIO(client.post("/account/download-my-data").data))
    rows = list(csv.DictReader(io.StringIO(archive.read("closure_requests.csv").decode())))
    assert [(r["outcome"], r["note"]) for r in rows] == [
        ("kept_open", "'=1+1 is not a reason to leave")
    ]
    assert rows[0]["reason"].startswith("'=HYPERLINK")
