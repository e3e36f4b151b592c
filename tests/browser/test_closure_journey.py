"""A participant asks to close their account; the national admin keeps it open with a note,
the participant reads it and asks again, and the admin closes the account. Every page
passes axe-core."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Visitor, emailed_path

pytestmark = pytest.mark.browser

PASSWORD = "closing-journey-2026"
EMAIL = "robin.leaver@example.nhs.uk"


def _ask_to_close(visitor: Visitor, reason: str) -> None:
    visitor.sign_in(EMAIL, PASSWORD)
    visitor.go("/account/close")
    visitor.page.fill("#reason", reason)
    with visitor.page.expect_navigation():
        visitor.page.click("button:has-text('Request to close my account')")
    assert "Request pending" in visitor.page.content()
    visitor.sign_out()


def test_admin_keeps_an_account_open_then_closes_it(visitor: Visitor, live_database) -> None:
    page = visitor.page
    visitor.sign_in("national.admin@example.nhs.uk")
    visitor.go("/admin/users/new")
    page.fill("#email", EMAIL)
    page.fill("#given_name", "Robin")
    page.fill("#family_name", "Leaver")
    with page.expect_navigation():
        page.click("button:has-text('Create')")
    user_url = page.url
    page.select_option("#role", "participant")
    with page.expect_navigation():
        page.click("button:has-text('Add role')")
    visitor.sign_out()
    # Robin sets their own password from the invitation email.
    visitor.go(emailed_path(live_database, EMAIL, "staff_invitation"))
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    with page.expect_navigation():
        page.click("button:has-text('Create my account')")
    visitor.sign_out()

    _ask_to_close(visitor, "I am leaving the pilot.")

    visitor.sign_in("national.admin@example.nhs.uk")
    assert "to close an account</a> waiting for a decision" in page.content()
    visitor.check_page("home-national-admin-closure-waiting")
    visitor.go("/admin/users")
    assert "to close an account</a> waiting for a decision" in page.content()
    visitor.check_page("admin-users-closure-waiting")
    visitor.go("/admin/closure-requests")
    assert "Robin Leaver" in page.content() and "I am leaving the pilot." in page.content()
    visitor.check_page("admin-closure-requests")
    with page.expect_navigation():
        page.click("a:has-text('Robin Leaver')")
    # Submitting without a note is refused, naming the field.
    with page.expect_navigation():
        page.click("button:has-text('Keep the account open')")
    assert "Tell Robin Leaver why the account stays open" in page.content()
    visitor.check_page("admin-closure-keep-open-error")
    page.fill("#note", "Your end-of-pilot interview is next week; ask again after it.")
    with page.expect_navigation():
        page.click("button:has-text('Keep the account open')")
    assert "Kept the account of Robin Leaver open" in page.content()
    visitor.check_page("admin-closure-kept-open")
    visitor.sign_out()

    visitor.sign_in(EMAIL, PASSWORD)
    visitor.go("/account")
    assert "end-of-pilot interview" in page.content()
    visitor.check_page("learning-account-kept-open")
    visitor.sign_out()

    _ask_to_close(visitor, "The interview is done.")
    visitor.sign_in("national.admin@example.nhs.uk")
    page.goto(user_url)
    assert "The interview is done." in page.content()
    with page.expect_navigation():
        page.click("button:has-text('Close account')")
    assert "Closed the account of Robin Leaver" in page.content()
    visitor.go("/admin/closure-requests")
    assert "No requests are waiting" in page.content()
    visitor.sign_out()

    visitor.go("/sign-in")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button:has-text('Sign in')")
    assert "/sign-in" in page.url
