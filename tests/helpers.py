"""Test helpers that are not fixtures."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from futuredoctor.models import User
from tests.factories import PASSWORD


def login(client: FlaskClient, user: User, password: str = PASSWORD) -> TestResponse:
    response = client.post("/sign-in", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


# Markup that was escaped by mistake shows as text: ``<a href=...>`` printed on the page.
_ESCAPED_TAG = re.compile(
    r"&lt;(?:/[a-z]|a\s|(?:p|span|strong|em|ul|ol|li|div|h[1-6]|br|table|tr|td|th)(?:\s|/?&gt;))"
)
# Places that show what people typed, where an escaped tag is the right thing to see.
_USER_TEXT = re.compile(r"<textarea\b.*?</textarea>|<[^>]*\bdata-user-text\b.*?</\w+>", re.S)


def escaped_tags(html: str) -> list[str]:
    """Escaped tags outside the places that show people's own text (should be none)."""
    visible = _USER_TEXT.sub("", html)
    return [visible[max(0, m.start() - 60) : m.end() + 40] for m in _ESCAPED_TAG.finditer(visible)]
