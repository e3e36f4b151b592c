"""Getting into an account and keeping it safe: reset, change, sign out everywhere,
server-side sessions, staff invitations and the sign-in defences."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import extract_parameters
from flask import Flask
from flask.testing import FlaskClient

from futuredoctor import clock, create_app, passwords
from futuredoctor.auth import accounts
from futuredoctor.extensions import db
from futuredoctor.models import AuditEvent, Notification, Role, User, UserSession
from tests.conftest import IsolatedClient, make_test_config
from tests.factories import PASSWORD, make_user
from tests.helpers import login

NEW_PASSWORD = "violet-harbour-lantern-47"


def _actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def _link(user: User, kind: str) -> str:
    body = db.session.scalars(
        sa.select(Notification.body)
        .where(Notification.recipient_id == user.id, Notification.kind == kind)
        .order_by(Notification.id.desc())
    ).first()
    assert body is not None, f"no {kind} email queued"
    found = re.search(r"https?://\S+", body)
    assert found is not None
    return re.sub(r"^https?://[^/]+", "", found.group(0))


def _second_client(app: Flask) -> FlaskClient:
    return app.test_client()


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/account").status_code == 200


# --- password reset ---------------------------------------------------------------------


def test_reset_answers_alike_for_known_and_unknown_addresses(app: Flask, client) -> None:
    user = make_user()
    db.session.commit()
    known = client.post("/forgot-password", data={"email": user.email})
    unknown = client.post("/forgot-password", data={"email": "nobody@example.nhs.uk"})
    assert known.status_code == unknown.status_code == 200

    def page(response: Any, email: str) -> str:
        return response.get_data(as_text=True).replace(email, "EMAIL")

    strip_nonce = re.compile(r'nonce="[^"]+"|name="csrf_token"[^>]*')
    assert strip_nonce.sub("", page(known, user.email)) == strip_nonce.sub(
        "", page(unknown, "nobody@example.nhs.uk")
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 1


def test_a_reset_link_sets_a_password_once_and_ends_every_session(
    app: Flask, client, time_machine
) -> None:
    time_machine.move_to(clock.now(), tick=False)
    user = make_user()
    db.session.commit()
    elsewhere = _second_client(app)
    login(elsewhere, user)
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):  # someone has been guessing
        client.post("/sign-in", data={"email": user.email, "password": "wrong-password!"})
    client.post("/forgot-password", data={"email": user.email})
    link = _link(user, "password_reset")

    assert "Choose a new password" in client.get(link).get_data(as_text=True)
    weak = client.post(link, data={"password": "password1234", "confirm": "password1234"})
    assert weak.status_code == 400 and "too easy to guess" in weak.get_data(as_text=True)
    mismatch = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert mismatch.status_code == 400 and "do not match" in mismatch.get_data(as_text=True)
    assert passwords.verify_password(db.session.get(User, user.id).password_hash, PASSWORD)

    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/sign-in"
    assert not _signed_in(elsewhere)  # the other session ended
    again = client.get(link).get_data(as_text=True)
    assert "already been used" in again and "/forgot-password" in again
    # The pause from the guesses is lifted and the new password works.
    login(client, user, NEW_PASSWORD)
    assert "password.reset" in _actions()


def test_reset_links_expire_and_tampered_ones_say_so(app: Flask, client, time_machine) -> None:
    now = clock.now()
    time_machine.move_to(now, tick=False)
    user = make_user()
    db.session.commit()
    client.post("/forgot-password", data={"email": user.email})
    link = _link(user, "password_reset")
    assert "does not work" in client.get(link[:-3] + "abc").get_data(as_text=True)
    minutes = app.config["PASSWORD_RESET_MINUTES"]
    time_machine.move_to(now + timedelta(minutes=minutes, seconds=5), tick=False)
    expired = client.get(link).get_data(as_text=True)
    assert "has expired" in expired and "/forgot-password" in expired
    posted = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert "has expired" in posted.get_data(as_text=True)
    assert passwords.verify_password(db.session.get(User, user.id).password_hash, PASSWORD)


def test_a_password_change_voids_an_earlier_reset_link(app: Flask, client) -> None:
    user = make_user()
    db.session.commit()
    client.post("/forgot-password", data={"email": user.email})
    link = _link(user, "password_reset")
    login(client, user)
    client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert "already been used" in client.get(link).get_data(as_text=True)


# --- change password, sign out, sign out everywhere --------------------------------------


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(
    app: Flask, client
) -> None:
    user = make_user()
    db.session.commit()
    elsewhere = _second_client(app)
    login(elsewhere, user)
    login(client, user)
    wrong = client.post(
        "/account/password",
        data={
            "current_password": "not-it-at-all",
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert wrong.status_code == 400 and "current password is not correct" in wrong.get_data(
        as_text=True
    )
    mine = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": user.email.split("@")[0] + "-2026-x",
            "confirm": user.email.split("@")[0] + "-2026-x",
        },
    )
    assert mine.status_code == 400 and "must not contain your email" in mine.get_data(as_text=True)
    ok = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert ok.status_code == 302
    assert _signed_in(client) and not _signed_in(elsewhere)
    assert "password.changed" in _actions()


def test_a_copied_cookie_stops_working_after_sign_out(app: Flask, client) -> None:
    user = make_user()
    db.session.commit()
    login(client, user)
    copied = client.get_cookie("session").value
    assert client.post("/sign-out").status_code == 302
    thief = _second_client(app)
    thief.set_cookie("session", copied)
    assert thief.get("/account").status_code == 302
    assert thief.post("/account/password", data={}).status_code == 302  # nor does a POST revive it
    assert thief.get("/my-learning").status_code == 302


def test_sign_out_everywhere_ends_every_session_including_this_one(app: Flask, client) -> None:
    user = make_user()
    db.session.commit()
    elsewhere = _second_client(app)
    login(elsewhere, user)
    login(client, user)
    copied = client.get_cookie("session").value
    assert "ends every session" in client.get("/account/sign-out-everywhere").get_data(as_text=True)
    assert client.post("/account/sign-out-everywhere").status_code == 302
    assert not _signed_in(client) and not _signed_in(elsewhere)
    replay = _second_client(app)
    replay.set_cookie("session", copied)
    assert not _signed_in(replay)
    open_rows = db.session.scalar(
        sa.select(sa.func.count()).where(
            UserSession.user_id == user.id, UserSession.ended_at.is_(None)
        )
    )
    assert open_rows == 0


def test_signing_in_starts_a_fresh_session(database_url: str) -> None:
    """A session value or CSRF token from before sign-in is useless afterwards."""
    app = create_app(make_test_config(database_url, WTF_CSRF_ENABLED=True))
    app.test_client_class = IsolatedClient
    with app.app_context():
        user = make_user()
        db.session.commit()
        client = app.test_client()
        page = client.get("/sign-in").get_data(as_text=True)
        before = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        with client.session_transaction() as planted:
            planted["planted"] = "by an attacker"
        response = client.post(
            "/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": before}
        )
        assert response.status_code == 302
        with client.session_transaction() as now:
            assert "planted" not in now
            assert now.get("csrf_token") is None  # a new one is made on the next form
        stale = client.post("/account/password", data={"csrf_token": before})
        assert stale.status_code == 400 and "could not be checked" in stale.get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()


def test_sessions_end_when_idle_and_after_their_absolute_lifetime(
    app: Flask, client, time_machine
) -> None:
    start = clock.now()
    time_machine.move_to(start, tick=False)
    user = make_user()
    db.session.commit()
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    login(client, user)
    time_machine.move_to(start + idle - timedelta(minutes=1), tick=False)
    assert _signed_in(client)  # activity keeps it open...
    time_machine.move_to(start + 2 * idle - timedelta(minutes=2), tick=False)
    assert _signed_in(client)
    time_machine.move_to(start + 3 * idle, tick=False)
    assert not _signed_in(client)  # ...an idle stretch ends it

    time_machine.move_to(start + timedelta(days=1), tick=False)
    login(client, user)
    absolute = timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"])
    steps = int(absolute / (idle / 2)) + 2
    alive = []
    for n in range(1, steps + 1):
        time_machine.move_to(start + timedelta(days=1) + n * idle / 2, tick=False)
        alive.append(_signed_in(client))
    assert alive[0] and not alive[-1]  # busy all day, still ends at the absolute limit
    reasons = set(db.session.scalars(sa.select(UserSession.ended_reason)))
    assert {"idle", "expired"} <= reasons


# --- sign-in defences --------------------------------------------------------------------


class _Counting:
    """The real hasher, counting its verifications."""

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls
        self.real = passwords._hasher

    def verify(self, hash_: str, password: str) -> bool:
        self.calls.append(hash_)
        return self.real.verify(hash_, password)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_an_unknown_email_costs_what_a_known_one_does(
    app: Flask, client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Equal cost by construction rather than by stopwatch: both paths run one argon2
    verification, against hashes made with the same time, memory and parallelism."""
    user = make_user()
    db.session.commit()
    app.config["LOCKOUT_THRESHOLD"] = 10_000  # the hashing path, not the pause
    calls: list[str] = []
    monkeypatch.setattr(passwords, "_hasher", _Counting(calls))
    client.post("/sign-in", data={"email": "nobody@example.nhs.uk", "password": "a-guess-here"})
    client.post("/sign-in", data={"email": user.email, "password": "a-guess-here"})
    assert len(calls) == 2  # one verification each: the unknown path runs the hasher too
    unknown, known = (extract_parameters(hash_) for hash_ in calls)
    assert calls[1] == user.password_hash
    assert (unknown.time_cost, unknown.memory_cost, unknown.parallelism) == (
        known.time_cost,
        known.memory_cost,
        known.parallelism,
    )


def test_a_stranger_cannot_keep_the_owner_out_with_a_reset(app: Flask, client) -> None:
    user = make_user()
    db.session.commit()
    for _ in range(app.config["LOCKOUT_THRESHOLD"] + 3):
        client.post("/sign-in", data={"email": user.email, "password": "wrong-password!"})
    client.post("/forgot-password", data={"email": user.email})
    link = _link(user, "password_reset")
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    login(client, user, NEW_PASSWORD)


@pytest.mark.parametrize(("hops", "seen"), [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_the_client_address_comes_through_trusted_proxy_hops_only(
    database_url: str, hops: int, seen: str
) -> None:
    app = create_app(make_test_config(database_url, PROXY_HOPS=hops))
    app.test_client_class = IsolatedClient
    with app.app_context():
        client = app.test_client()
        client.post(
            "/sign-in",
            data={"email": "nobody@example.nhs.uk", "password": "x"},
            headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9"},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
        address = db.session.scalar(
            sa.select(AuditEvent.ip_address).order_by(AuditEvent.id.desc()).limit(1)
        )
        assert address == seen
        db.session.remove()
        db.engine.dispose()


# --- staff invitations -------------------------------------------------------------------


def test_a_staff_invitation_sets_the_first_password_once(app: Flask, client, time_machine) -> None:
    now = clock.now()
    time_machine.move_to(now, tick=False)
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    staff = make_user(roles=[(Role.EVALUATOR, None)])
    staff.password_hash = None
    db.session.commit()
    with app.test_request_context():
        accounts.invite_staff(staff, admin)
    db.session.commit()
    first = _link(staff, "staff_invitation")
    time_machine.move_to(now + timedelta(minutes=5), tick=False)
    with app.test_request_context():
        accounts.invite_staff(staff, admin)  # sent again: the first link stops working
    db.session.commit()
    second = _link(staff, "staff_invitation")
    assert "already been used" in client.get(first).get_data(as_text=True)
    page = client.get(second).get_data(as_text=True)
    assert "Set up your account" in page and staff.email in page
    done = client.post(second, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and _signed_in(client)
    assert "already been used" in client.get(second).get_data(as_text=True)
    assert "account.invited" in _actions() and "account.invitation_accepted" in _actions()


def test_invitation_links_expire(app: Flask, client, time_machine) -> None:
    now = clock.now()
    time_machine.move_to(now, tick=False)
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    staff = make_user()
    staff.password_hash = None
    db.session.commit()
    with app.test_request_context():
        accounts.invite_staff(staff, admin)
    db.session.commit()
    link = _link(staff, "staff_invitation")
    days = app.config["STAFF_INVITATION_DAYS"]
    time_machine.move_to(now + timedelta(days=days, minutes=1), tick=False)
    assert "has expired" in client.get(link).get_data(as_text=True)


# --- records -----------------------------------------------------------------------------


def test_the_audit_log_refuses_update_and_delete_in_the_database(app: Flask) -> None:
    make_user()
    db.session.commit()
    client = app.test_client()
    client.post("/sign-in", data={"email": "nobody@example.nhs.uk", "password": "x"})
    count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    assert count
    for statement in (
        "UPDATE audit_event SET action = 'rewritten'",
        "DELETE FROM audit_event",
    ):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(sa.text(statement))
        db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == count


def test_pages_and_downloads_are_never_cached(app: Flask, client) -> None:
    user = make_user()
    db.session.commit()
    login(client, user)
    for path in ("/account", "/sign-in", "/forgot-password"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


# --- a recent sign-in before sensitive actions -------------------------------------------


def test_role_changes_and_api_tokens_ask_for_the_password_again(
    app: Flask, client, time_machine
) -> None:
    start = clock.now()
    time_machine.move_to(start, tick=False)
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None), (Role.EVALUATOR, None)])
    other = make_user()
    db.session.commit()
    login(client, admin)
    assert client.get("/evaluation/tokens").status_code == 200  # just signed in
    later = start + timedelta(minutes=app.config["RECENT_SIGN_IN_MINUTES"] + 1)
    time_machine.move_to(later, tick=False)
    asked = client.get("/evaluation/tokens")
    assert asked.status_code == 302 and asked.headers["Location"].startswith("/confirm-password")
    refused = client.post(
        f"/admin/users/{other.id}/grants",
        data={"role": "champion", "scope": "national"},
        headers={"Referer": f"http://localhost/admin/users/{other.id}"},
    )
    assert refused.status_code == 302 and "confirm-password" in refused.headers["Location"]
    assert db.session.get(User, other.id).grants == [] or all(
        g.role is not Role.CHAMPION for g in db.session.get(User, other.id).grants
    )
    wrong = client.post("/confirm-password", data={"password": "not-mine-at-all", "next": "/"})
    assert wrong.status_code == 400 and "not correct" in wrong.get_data(as_text=True)
    ok = client.post("/confirm-password", data={"password": PASSWORD, "next": "/evaluation/tokens"})
    assert ok.status_code == 302 and ok.headers["Location"] == "/evaluation/tokens"
    assert client.get("/evaluation/tokens").status_code == 200
    hostile = client.post(
        "/confirm-password", data={"password": PASSWORD, "next": "https://evil.example/"}
    )
    assert hostile.headers["Location"] == "/"
