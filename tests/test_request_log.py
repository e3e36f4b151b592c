"""One log line per request with its id; the id is returned, stored on audit events, and
never taken as given from a client that is not behind a trusted proxy."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from futuredoctor import create_app
from futuredoctor.extensions import db
from futuredoctor.logs import JsonFormatter, RequestIdFilter, accepted_id
from futuredoctor.models import AuditEvent, Role
from futuredoctor.permissions import public
from tests.conftest import make_test_config
from tests.factories import PASSWORD, make_user


def _request_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "futuredoctor.requests"]


def test_each_request_logs_one_line_with_route_not_path(
    app: Flask, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    email, user_id = admin.email, admin.id
    db.session.commit()
    caplog.set_level(logging.INFO, logger="futuredoctor")
    client.post("/sign-in", data={"email": email, "password": PASSWORD})
    caplog.clear()
    response = client.get(f"/admin/users/{user_id}")
    [line] = _request_lines(caplog)
    assert response.headers["X-Request-ID"] == line.request_id  # type: ignore[attr-defined]
    fields = line.__dict__
    assert fields["method"] == "GET"
    assert fields["route"] == "admin.user_detail"
    assert fields["rule"] == "/admin/users/<int:user_id>"
    assert str(user_id) not in fields["route"]
    assert fields["status"] == response.status_code
    assert fields["user"] == str(user_id)
    assert fields["queries"] >= 1
    assert fields["duration_ms"] >= 0
    assert email not in caplog.text


def test_anonymous_requests_say_so(app: Flask, client: Any, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="futuredoctor")
    client.get("/sign-in")
    [line] = _request_lines(caplog)
    assert line.user == "anonymous"  # type: ignore[attr-defined]
    assert line.route == "auth.login"  # type: ignore[attr-defined]


def test_without_a_trusted_proxy_the_client_id_is_replaced(app: Flask, client: Any) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "chosen-by-client"})
    returned = response.headers["X-Request-ID"]
    assert returned != "chosen-by-client"
    assert uuid.UUID(returned)


@pytest.mark.parametrize(
    "forged",
    ["abc\nINFO futuredoctor.requests forged line", "x" * 10_240, "a b", "<script>", ""],
)
def test_a_forged_request_id_is_replaced_even_behind_a_proxy(
    database_url: str, forged: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(make_test_config(database_url, PROXY_HOPS=1))
    caplog.set_level(logging.INFO, logger="futuredoctor")
    # Werkzeug's test client refuses header values with newlines: set it in the environ.
    response = app.test_client().get("/healthz", environ_overrides={"HTTP_X_REQUEST_ID": forged})
    returned = response.headers["X-Request-ID"]
    assert returned != forged and uuid.UUID(returned)
    if forged:
        assert forged not in caplog.text
        assert "forged line" not in caplog.text


def test_a_trusted_proxy_s_request_id_is_kept(database_url: str) -> None:
    app = create_app(make_test_config(database_url, PROXY_HOPS=1))
    response = app.test_client().get(
        "/healthz", headers={"X-Request-ID": "lb-1a2b3c", "X-Forwarded-For": "10.0.0.9"}
    )
    assert response.headers["X-Request-ID"] == "lb-1a2b3c"


def test_accepted_ids_are_short_and_plain() -> None:
    assert accepted_id("0b7c6f1e-4c5a-4c43-9a49-44b3b7f0c7a1")
    assert accepted_id("lb-1a2b3c")
    for bad in (None, "", "a\nb", "a\rb", "x" * 37, "a b", "é", '"quoted"'):
        assert accepted_id(bad) is None


def test_audit_events_carry_the_request_id(app: Flask, client: Any) -> None:
    user = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    email = user.email
    db.session.commit()
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    ids = db.session.scalars(
        sa.select(AuditEvent.request_id).where(AuditEvent.action.like("login%"))
    ).all()
    assert response.headers["X-Request-ID"] in ids


def test_production_logs_are_json_lines() -> None:
    record = logging.LogRecord("futuredoctor.requests", logging.INFO, "x", 1, "GET x", (), None)
    record.route = "auth.login"
    RequestIdFilter().filter(record)
    formatter = JsonFormatter("%(levelname)s %(name)s %(message)s %(request_id)s")
    text = formatter.format(record)
    assert text.startswith("{") and '"route": "auth.login"' in text and "\n" not in text


def test_an_unhandled_error_is_logged_and_shown_with_its_request_id(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(make_test_config(database_url))

    @app.route("/boom")
    @public
    def boom() -> str:
        raise RuntimeError("secret internals")

    caplog.set_level(logging.INFO, logger="futuredoctor")
    response = app.test_client().get("/boom")
    reference = response.headers["X-Request-ID"]
    assert response.status_code == 500
    assert reference in response.get_data(as_text=True)
    [error] = [r for r in caplog.records if r.name == "futuredoctor.errors"]
    assert error.request_id == reference and error.exc_info  # type: ignore[attr-defined]
    [line] = _request_lines(caplog)
    assert line.status == 500 and line.request_id == reference  # type: ignore[attr-defined]


def test_an_email_carries_the_request_that_queued_it_to_its_sending_log(
    app: Flask, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """From the page to its email: the outbox row keeps the request id, and the line the
    scheduler logs when sending names it."""
    from futuredoctor import clock
    from futuredoctor.models import Notification
    from futuredoctor.notifications.delivery import send_queued

    user = make_user(roles=[(Role.PARTICIPANT, None)])
    db.session.commit()
    response = client.post("/forgot-password", data={"email": user.email})
    assert response.status_code == 200
    reference = response.headers["X-Request-ID"]
    queued = db.session.scalars(
        sa.select(Notification.request_id).where(Notification.recipient_id == user.id)
    ).all()
    assert queued == [reference]
    app.config["MAIL_BACKEND"] = "memory"
    with caplog.at_level(logging.INFO, logger="futuredoctor"):
        assert send_queued(clock.now()).sent == 1
    [line] = [r for r in caplog.records if getattr(r, "notification_id", None) is not None]
    assert line.queued_by_request == reference  # type: ignore[attr-defined]


def test_the_line_gives_the_time_in_database_statements(
    app: Flask, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="futuredoctor")
    response = client.get("/sign-in")
    [line] = _request_lines(caplog)
    db_ms = line.db_ms  # type: ignore[attr-defined]
    assert 0 <= db_ms <= line.duration_ms  # type: ignore[attr-defined]
    assert "Server-Timing" not in response.headers  # off unless asked for


def test_server_timing_names_database_and_whole_request_when_turned_on(
    app: Flask, client: Any
) -> None:
    user = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    email = user.email
    db.session.commit()
    client.post("/sign-in", data={"email": email, "password": PASSWORD})
    app.config["SERVER_TIMING"] = True
    executed: list[str] = []

    def seen(*args: Any) -> None:
        executed.append(args[2])

    sa.event.listen(db.engine, "after_cursor_execute", seen)
    try:
        response = client.get("/admin/users")
    finally:
        sa.event.remove(db.engine, "after_cursor_execute", seen)
    assert response.status_code == 200
    db_part, app_part = (part.strip() for part in response.headers["Server-Timing"].split(","))
    assert db_part.startswith("db;dur=")
    assert db_part.endswith(f';desc="{len(executed)} statements"') and executed
    assert app_part.startswith("app;dur=")
    db_ms = float(db_part.split(";")[1].removeprefix("dur="))
    app_ms = float(app_part.removeprefix("app;dur="))
    assert 0 < db_ms <= app_ms
