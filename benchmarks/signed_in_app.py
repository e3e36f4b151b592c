"""A context measurement for the dashboard: the real app with one extra page that does
nothing but what every signed-in page does first (read the session cookie, load and check
the account and its role grants). It shows how much of the one-third target the account
check alone uses up."""

from __future__ import annotations

from flask_login import current_user

from futuredoctor import create_app
from futuredoctor.permissions import signed_in

app = create_app()


@app.route("/bench/signed-in")
@signed_in
def signed_in_only() -> str:
    return f"Signed in as user {current_user.id}"
