"""Patients and the public in the loop, in a browser: a London lead educator records a
public contributor, enters their feedback on their behalf, finds it under the inbox's
"Patient or public member" source, lists them at a co-design session, acts on the
feedback in a new version, and sees them credited in "You said, we did". Every page is
axe-clean at 375 px and 1280 px (see also ``test_page_widths``)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Visitor
from tests.browser.widths import check_both_widths
from tests.dates import today

pytestmark = pytest.mark.browser

EDUCATOR = "lead.educator.london@example.nhs.uk"
MODULE = "human-factors-team-science"  # released to London's demo cohort; no other journey
NAME = "Quayside Listener"
FEEDBACK = "Show how a patient can speak up when a handover goes wrong"


def _check_both_widths(visitor: Visitor, name: str) -> None:
    """Both widths, measured once layout has settled after each resize."""
    check_both_widths(visitor, name)
    visitor.page.set_viewport_size({"width": 1200, "height": 900})


def test_lead_educator_records_and_credits_a_public_contributor(visitor: Visitor) -> None:
    page = visitor.page
    visitor.sign_in(EDUCATOR)
    assert visitor.go("/contributors").status == 200
    _check_both_widths(visitor, "contributors-list")

    # Record the contributor: a bad attempt first, then a good one.
    with page.expect_navigation():
        page.click("a:has-text('Record a public contributor')")
    with page.expect_navigation():
        page.click("button:has-text('Record contributor')")
    summary = page.locator(".nhsuk-error-summary").inner_text()
    assert "Enter a display name or pseudonym" in summary
    assert "Select how they take part" in summary
    _check_both_widths(visitor, "contributor-new-errors")
    page.fill("#display_name", NAME)
    page.check("input[name=involvement][value=codesign]")
    page.check("input[name=involvement][value=feedback]")
    page.check("input[name=credit_consent][value=yes]")
    day = today()
    page.fill("#consent_on_day", str(day.day))
    page.fill("#consent_on_month", str(day.month))
    page.fill("#consent_on_year", str(day.year))
    with page.expect_navigation():
        page.click("button:has-text('Record contributor')")
    assert f"Recorded {NAME}" in page.locator(".nhsuk-notification-banner").inner_text()
    _check_both_widths(visitor, "contributor-page")

    # Their feedback, entered on their behalf, lands in the inbox under its source.
    with page.expect_navigation():
        page.click("a:has-text('Record feedback on their behalf')")
    assert page.locator("#contributor").input_value() != ""
    _check_both_widths(visitor, "feedback-on-behalf")
    option = page.locator("#version option", has_text="(version 1)").filter(has_text="uman factors")
    page.select_option("#version", option.first.get_attribute("value"))
    page.fill("#text", FEEDBACK)
    with page.expect_navigation():
        page.click("button:has-text('Record feedback')")
    assert "Recorded the feedback" in page.locator(".nhsuk-notification-banner").inner_text()
    assert NAME in page.locator("main").inner_text()
    _check_both_widths(visitor, "feedback-on-behalf-item")

    visitor.go("/feedback")
    page.select_option("#source", "patient_public")
    with page.expect_navigation():
        page.click("button:has-text('Filter feedback')")
    assert FEEDBACK[:40] in page.locator("table").inner_text()
    _check_both_widths(visitor, "inbox-patient-public")

    # List them at the demo co-design session.
    visitor.go("/codesign")
    with page.expect_navigation():
        page.click("a:has-text('Inclusion health module review')")
    page.select_option("#attendee-kind", "patient_public")
    page.select_option("#attendee-contributor", label=NAME)
    with page.expect_navigation():
        page.click("button:has-text('Add attendee')")
    attendees = page.locator("#attendees + .app-table-scroll").inner_text()
    assert NAME in attendees and "Harbour Reader" in attendees
    _check_both_widths(visitor, "codesign-session-attendees")

    # Correct the headcount: a number below those listed is refused next to its field.
    with page.expect_navigation():
        page.click("a:has-text('Change the headcount')")
    page.fill("#patients_public_count", "0")
    with page.expect_navigation():
        page.click("button:has-text('Save headcount')")
    assert "listed by name or role" in page.locator(".nhsuk-error-summary").inner_text()
    _check_both_widths(visitor, "codesign-headcount-errors")
    page.fill("#patients_public_count", "6")
    with page.expect_navigation():
        page.click("button:has-text('Save headcount')")
    assert "Saved the headcount" in page.locator(".nhsuk-notification-banner").inner_text()

    # Act on it in a new version; the module page credits them by name.
    visitor.go(f"/modules/{MODULE}/versions/new")
    page.fill("#find", "speak up")
    with page.expect_navigation():
        page.click("button:has-text('Search feedback')")
    page.locator(".nhsuk-checkboxes__item", has_text=FEEDBACK[:30]).locator("input").check()
    page.fill("#changelog", "Added a section on speaking up at handover, with a patient's view.")
    with page.expect_navigation():
        page.click("button:has-text('Publish version')")
    assert "addressing 1 feedback item" in page.locator(".nhsuk-notification-banner").inner_text()
    visitor.go(f"/modules/{MODULE}")
    section = page.locator(".app-you-said").inner_text()
    assert f"{NAME}, public contributor" in section
    assert f"With thanks to our public contributors {NAME}." in section
    _check_both_widths(visitor, "you-said-we-did-credit")
