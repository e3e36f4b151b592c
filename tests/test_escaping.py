"""Text people type is escaped everywhere, including inside the NHS.UK component macros."""

from __future__ import annotations

from flask import Flask

from futuredoctor.extensions import db
from futuredoctor.models import Role
from tests.factories import make_user
from tests.helpers import login

HOSTILE = '"><script>alert(1)</script>'


def test_names_and_form_values_are_escaped(app: Flask, client) -> None:
    user = make_user(roles=[(Role.PARTICIPANT, None)], given_name=HOSTILE, family_name=HOSTILE)
    db.session.commit()
    login(client, user)
    home = client.get("/").get_data(as_text=True)
    assert "<script>alert(1)" not in home
    assert "&lt;script&gt;alert(1)" in home or "&#34;&gt;&lt;script" in home
    page = client.post("/sign-in", data={"email": HOSTILE, "password": ""})
    assert "<script>alert(1)" not in page.get_data(as_text=True)
