"""Accounts nobody else holds the password to: a national admin invites a lead educator,
who sets a password from the email, signs in, changes it and signs out everywhere; a
participant who forgot their password resets it. Every page passes axe-core and the CSP."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Visitor, emailed_path

pytestmark = pytest.mark.browser

EDUCATOR = "morgan.teach@example.nhs.uk"
FIRST = "quiet-meadow-lantern-82"
SECOND = "amber-canal-orchard-19"
PARTICIPANT = "jo.forgetful@example.nhs.uk"
RESET = "silver-thistle-compass-64"


def _add_person(visitor: Visitor, email: str, given: str, family: str, role: str) -> None:
    page = visitor.page
    visitor.go("/admin/users/new")
    page.fill("#email", email)
    page.fill("#given_name", given)
    page.fill("#family_name", family)
    with page.expect_navigation():
        page.click("button:has-text('Create account')")
    assert f"We have emailed {email} a link" in page.content()
    page.select_option("#role", role)
    if role == "lead_educator":
        page.select_option("#scope", label="Pilot: " + page.eval_on_selector(
            "#scope option[value^='pilot:']", "o => o.textContent"
        ).removeprefix("Pilot: "))
    with page.expect_navigation():
        page.click("button:has-text('Add role')")


def _set_password(visitor: Visitor, password: str, button: str) -> None:
    page = visitor.page
    page.fill("#password", password)
    page.fill("#confirm", password)
    with page.expect_navigation():
        page.click(f"button:has-text('{button}')")


def test_an_invited_lead_educator_sets_changes_and_signs_out_everywhere(
    visitor: Visitor, browser, live_database
) -> None:
    page = visitor.page
    visitor.sign_in("national.admin@example.nhs.uk")
    visitor.go("/admin/users/new")
    visitor.check_page("admin-user-new-invitation")
    _add_person(visitor, EDUCATOR, "Morgan", "Teach", "lead_educator")
    assert "Invited" in page.content() and "Send the invitation again" in page.content()
    visitor.check_page("admin-user-invited")
    visitor.sign_out()

    visitor.go(emailed_path(live_database, EDUCATOR, "staff_invitation"))
    assert "Set up your account" in page.content()
    visitor.check_page("auth-staff-invitation")
    page.fill("#password", "password12345")
    page.fill("#confirm", "password12345")
    with page.expect_navigation():
        page.click("button:has-text('Create my account')")
    assert "too easy to guess" in page.content()
    visitor.check_page("auth-staff-invitation-weak")
    _set_password(visitor, FIRST, "Create my account")
    assert "Welcome, Morgan" in page.content()
    visitor.sign_out()

    visitor.sign_in(EDUCATOR, FIRST)
    # A second browser signed in as Morgan, to show it is signed out too.
    other_context = browser.new_context()
    other = Visitor(other_context.new_page(), visitor.base_url)
    other.sign_in(EDUCATOR, FIRST)
    visitor.go("/account")
    visitor.check_page("account-password-section")
    visitor.go("/account/password")
    visitor.check_page("auth-change-password")
    page.fill("#current_password", FIRST)
    page.fill("#new_password", SECOND)
    page.fill("#confirm", SECOND)
    with page.expect_navigation():
        page.click("button:has-text('Change password')")
    assert "Your password has been changed" in page.content()
    other.go("/account")
    assert "/sign-in" in other.page.url  # the other browser was signed out

    other.sign_in(EDUCATOR, SECOND)
    visitor.go("/account/sign-out-everywhere")
    visitor.check_page("auth-sign-out-everywhere")
    with page.expect_navigation():
        page.click("button:has-text('Sign out everywhere')")
    assert "signed out on every device" in page.content()
    other.go("/account")
    assert "/sign-in" in other.page.url
    other_context.close()


def test_a_participant_resets_a_forgotten_password(visitor: Visitor, live_database) -> None:
    page = visitor.page
    visitor.sign_in("national.admin@example.nhs.uk")
    _add_person(visitor, PARTICIPANT, "Jo", "Forgetful", "participant")
    visitor.sign_out()

    visitor.go("/sign-in")
    with page.expect_navigation():
        page.click("a:has-text('Forgotten your password?')")
    visitor.check_page("auth-forgot-password")
    page.fill("#email", PARTICIPANT)
    with page.expect_navigation():
        page.click("button:has-text('Send the link')")
    assert "Check your email" in page.content()
    visitor.check_page("auth-reset-sent")

    link = emailed_path(live_database, PARTICIPANT, "password_reset")
    visitor.go(link)
    visitor.check_page("auth-reset-new-password")
    _set_password(visitor, RESET, "Save password")
    assert "Sign in with your new password" in page.content()
    visitor.go(link)
    assert "already been used" in page.content()
    visitor.check_page("auth-link-used")
    visitor.sign_in(PARTICIPANT, RESET)
    assert "/sign-in" not in page.url
