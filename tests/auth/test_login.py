"""Signing in and out, lockout, rate limiting, CSRF, sessions and redirects."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from futuredoctor import clock, create_app
from futuredoctor.auth.services import pause_after
from futuredoctor.extensions import db
from futuredoctor.models import AuditEvent, Role, User
from tests.conftest import IsolatedClient, make_test_config
from tests.factories import PASSWORD, make_user
from tests.helpers import login


def _actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_sign_in_and_out(app: Flask, client) -> None:
    user = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    db.session.commit()
    response = client.post("/sign-in", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Hello, Test" in client.get("/").get_data(as_text=True)
    assert client.post("/sign-out").status_code == 302
    assert client.get("/admin/users").status_code == 302  # back to sign-in
    assert _actions()[-2:] == ["login.succeeded", "logout"]


def test_wrong_password_and_unknown_user_get_the_same_message(app: Flask, client) -> None:
    user = make_user()
    db.session.commit()
    wrong = client.post("/sign-in", data={"email": user.email, "password": "nope-nope-nope"})
    unknown = client.post("/sign-in", data={"email": "nobody@example.nhs.uk", "password": "x"})
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "Enter a correct email address and password" in response.get_data(as_text=True)
    assert _actions()[-2:] == ["login.failed", "login.failed"]
    assert db.session.get(User, user.id).failed_login_count == 1


def test_empty_and_malformed_fields_are_named(app: Flask, client) -> None:
    page = client.post("/sign-in", data={"email": "not-an-email", "password": ""})
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "Enter an email address in the correct format" in text
    assert "Enter your password" in text
    assert 'href="#email"' in text and 'href="#password"' in text


def test_repeated_failures_pause_sign_in_for_growing_delays(
    app: Flask, client, time_machine
) -> None:
    """Guessing slows down, but the owner is never locked out for long and is told the
    same thing as anyone else."""
    user = make_user()
    db.session.commit()
    start = clock.now()
    time_machine.move_to(start, tick=False)
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        client.post("/sign-in", data={"email": user.email, "password": "wrong-password!"})
    paused = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert paused.status_code == 400
    assert "Enter a correct email address and password" in paused.get_data(as_text=True)
    assert "locked" not in paused.get_data(as_text=True)
    assert "account.paused" in _actions() and "login.throttled" in _actions()
    # One minute later the owner gets in with the right password.
    time_machine.move_to(start + timedelta(minutes=1, seconds=1), tick=False)
    again = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert again.status_code == 302
    assert db.session.get(User, user.id).failed_login_count == 0


def test_each_further_failure_doubles_the_pause_up_to_the_limit(app: Flask) -> None:
    threshold, longest = app.config["LOCKOUT_THRESHOLD"], app.config["LOCKOUT_MINUTES"]
    pauses = [pause_after(threshold + n) for n in range(8)]
    assert pause_after(threshold - 1) is None
    assert [p.total_seconds() / 60 for p in pauses if p] == [
        min(2**n, longest) for n in range(8)
    ]


def test_closed_account_cannot_sign_in(app: Flask, client) -> None:
    user = make_user(is_enabled=False)
    db.session.commit()
    page = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert page.status_code == 400 and "closed" in page.get_data(as_text=True)
    guess = client.post("/sign-in", data={"email": user.email, "password": "a-wrong-guess"})
    assert "closed" not in guess.get_data(as_text=True)  # only the password holder learns it


def test_next_goes_to_same_site_paths_only(app: Flask, client) -> None:
    user = make_user()
    db.session.commit()
    ok = client.post(
        "/sign-in", data={"email": user.email, "password": PASSWORD, "next": "/modules?domain=GPC5"}
    )
    assert ok.headers["Location"] == "/modules?domain=GPC5"
    for hostile in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
    ]:
        client.post("/sign-out")
        response = client.post(
            "/sign-in", data={"email": user.email, "password": PASSWORD, "next": hostile}
        )
        assert response.headers["Location"] == "/", hostile


def test_unauthenticated_page_redirects_to_sign_in_and_back(app: Flask, client) -> None:
    response = client.get("/modules?domain=GPC2")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next=")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="/modules?domain=GPC2"' in page


def test_tampered_session_cookie_is_treated_as_signed_out(app: Flask, client) -> None:
    user = make_user()
    db.session.commit()
    login(client, user)
    cookie = client.get_cookie("session")
    client.set_cookie("session", cookie.value[:-4] + "AAAA")
    assert client.get("/modules").status_code == 302


def test_closing_an_account_ends_its_sessions(app: Flask, client) -> None:
    user = make_user()
    db.session.commit()
    login(client, user)
    assert client.get("/modules").status_code == 200
    user.session_version += 1
    db.session.commit()
    assert client.get("/modules").status_code == 302


def test_post_without_csrf_token_is_refused(database_url: str) -> None:
    app = create_app(make_test_config(database_url, WTF_CSRF_ENABLED=True))
    app.test_client_class = IsolatedClient
    with app.app_context():
        user = make_user()
        db.session.commit()
        client = app.test_client()
        response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 400
        assert "could not be checked as coming from you" in response.get_data(as_text=True)
        assert not any(a == "login.succeeded" for a in _actions())
        db.session.remove()
        db.engine.dispose()


def test_sign_in_is_rate_limited(database_url: str) -> None:
    app = create_app(
        make_test_config(database_url, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        client = app.test_client()
        codes = [
            client.post("/sign-in", data={"email": "a@example.nhs.uk", "password": "x"}).status_code
            for _ in range(4)
        ]
        assert codes == [400, 400, 400, 429]
        assert _actions().count("login.rate_limited") == 1  # kept although refused
        assert "Too many attempts" in client.post("/sign-in").get_data(as_text=True)
        assert client.get("/sign-in").status_code == 200  # reading the form is not limited
        db.session.remove()
        db.engine.dispose()


def test_security_headers_and_cookie_flags(app: Flask, client) -> None:
    user = make_user()
    db.session.commit()
    response = login(client, user)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in page.get_data(as_text=True)
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
