"""Error reports leave without personal data: a fake transport catches what would be sent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sentry_sdk
from sentry_sdk.transport import Transport

from futuredoctor import create_app
from futuredoctor.error_reporting import init_error_reporting, scrub
from futuredoctor.extensions import db
from futuredoctor.permissions import public
from tests.conftest import make_test_config
from tests.factories import PASSWORD, make_user

EMAIL = "ada.lovelace@example.nhs.uk"
NAME = "Lovelace"
FORM_VALUE = "my-very-private-answer"


class FakeTransport(Transport):
    """Keeps every envelope instead of sending it anywhere."""

    sent: list[str] = []

    def capture_envelope(self, envelope: Any) -> None:
        FakeTransport.sent.append(envelope.serialize().decode("utf-8", "replace"))


@pytest.fixture
def reported(database_url: str) -> Iterator[Any]:
    FakeTransport.sent = []
    app = create_app(make_test_config(database_url, SENTRY_DSN="https://key@sentry.invalid/1"))
    assert init_error_reporting(app.config, transport=FakeTransport)

    @app.route("/boom", methods=["GET", "POST"])
    @public
    def boom() -> str:
        raise ValueError(f"cannot save {EMAIL} for {NAME}: {FORM_VALUE}")

    with app.app_context():
        make_user(email=EMAIL, given_name="Ada", family_name=NAME)
        db.session.commit()
    yield app
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: reporting off for the tests that follow


def test_an_error_is_reported_without_email_name_or_form_values(reported: Any) -> None:
    client = reported.test_client()
    client.post("/sign-in", data={"email": EMAIL, "password": PASSWORD})
    response = client.post(
        "/boom?email=" + EMAIL,
        data={"answer": FORM_VALUE, "email": EMAIL, "name": NAME},
        headers={"Cookie": f"note={FORM_VALUE}"},
    )
    assert response.status_code == 500
    sentry_sdk.flush()
    assert FakeTransport.sent, "the error was not reported"
    sent = "\n".join(FakeTransport.sent)
    assert "ValueError" in sent
    assert response.headers["X-Request-ID"] in sent
    for secret in (EMAIL, NAME, FORM_VALUE, PASSWORD, "ada.lovelace"):
        assert secret not in sent


def test_scrub_keeps_only_what_finds_the_error() -> None:
    event = {
        "request": {
            "method": "POST",
            "url": f"https://x.invalid/a?email={EMAIL}",
            "data": {"name": NAME},
            "cookies": {"session": "abc"},
            "headers": {"Cookie": "session=abc", "User-Agent": "UA", "Authorization": "Bearer t"},
            "query_string": f"email={EMAIL}",
        },
        "user": {"id": "7", "email": EMAIL},
        "exception": {
            "values": [
                {
                    "type": "IntegrityError",
                    "value": f"duplicate {EMAIL}",
                    "stacktrace": {"frames": [{"function": "f", "vars": {"form": FORM_VALUE}}]},
                }
            ]
        },
        "logentry": {"message": "saving %s", "params": [EMAIL]},
        "extra": {"form": FORM_VALUE},
        "breadcrumbs": {"values": [{"message": f"to {EMAIL}", "data": {"name": NAME}}]},
    }
    cleaned = json.dumps(scrub(event))
    for secret in (EMAIL, NAME, FORM_VALUE, "Bearer t", "session=abc"):
        assert secret not in cleaned
    assert '"IntegrityError"' in cleaned and '"User-Agent": "UA"' in cleaned
    assert '"id": "7"' in cleaned
