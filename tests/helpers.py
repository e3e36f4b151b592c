"""Test helpers that are not fixtures."""

from __future__ import annotations

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from futuredoctor.models import User
from tests.factories import PASSWORD


def login(client: FlaskClient, user: User, password: str = PASSWORD) -> TestResponse:
    response = client.post("/sign-in", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response
