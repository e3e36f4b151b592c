"""The living-lab loop in a browser: a lead educator triages feedback, publishes a new
version addressing three items, and a participant who gave one of them (and asked to hear
back) sees "You said, we did" on the module page and has the notification. Every page
passes axe-core with no Content-Security-Policy violations."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Visitor

pytestmark = pytest.mark.browser

MODULE = "inclusion-health-homelessness"
EDUCATOR = "lead.educator.london@example.nhs.uk"
PARTICIPANT = "participant@example.nhs.uk"


def test_lead_educator_closes_the_loop(visitor: Visitor) -> None:
    page = visitor.page
    visitor.sign_in(EDUCATOR)
    assert visitor.go("/feedback").status == 200
    visitor.check_page("livinglab-inbox")

    # Triage: the participant who asked to hear back, found through the filters.
    visitor.go(f"/feedback?module={MODULE}&status=received")
    row = page.locator("tr", has_text="asked to hear back").first
    with page.expect_navigation():
        row.locator("a").first.click()  # the item, named by its first words
    item_url = page.url.removeprefix(visitor.base_url)
    page.select_option("#status", "planned")
    page.fill("#note", "We will add a worked example in the next version.")
    with page.expect_navigation():
        page.click("button:has-text('Change status')")
    assert "is now planned" in page.locator(".nhsuk-notification-banner").inner_text()
    page.fill("#tags", "worked examples, GP registration")
    with page.expect_navigation():
        page.click("button:has-text('Add tags')")
    assert page.locator("#timeline").count() == 1
    assert "worked example in the next version" in page.locator(".app-timeline").inner_text()
    visitor.check_page("livinglab-item")

    # A refused transition gets a message and an error summary.
    page.select_option("#status", "declined")
    with page.expect_navigation():
        page.click("button:has-text('Change status')")
    assert "Enter the reason for declining" in page.locator(".nhsuk-error-summary").inner_text()
    visitor.check_page("livinglab-item-error")

    for path, name in [
        ("/codesign", "livinglab-sessions"),
        ("/codesign/new", "livinglab-session-new"),
        ("/feedback/ratings", "livinglab-ratings-index"),
        (f"/feedback/ratings/{MODULE}", "livinglab-ratings"),
    ]:
        assert visitor.go(path).status == 200, path
        visitor.check_page(name)
    visitor.go("/codesign")
    with page.expect_navigation():
        page.click("a:has-text('Inclusion health module review')")
    assert page.locator("h1").inner_text() == "Inclusion health module review"
    visitor.check_page("livinglab-session")

    # Publish a new version addressing three items, one of them the opted-in participant's.
    visitor.go(f"/modules/{MODULE}/versions/new")
    visitor.check_page("livinglab-editor")
    body = page.locator("#body")
    body.fill(body.input_value() + "\n\n## Letters and addresses\n\nAsk where letters can reach.")
    with page.expect_navigation():
        page.click("button:has-text('Preview')")
    assert page.locator(".app-preview h2", has_text="Letters and addresses").count() == 1
    visitor.check_page("livinglab-editor-preview")
    page.fill("#changelog", "Added guidance on where letters can reach people without an address.")
    items = page.locator("[name=addresses]")
    opted = page.locator(".nhsuk-checkboxes__item", has_text="asked to hear back")
    opted.locator("input").first.check()
    checked = 1
    for index in range(items.count()):
        if checked == 3:
            break
        if not items.nth(index).is_checked():
            items.nth(index).check()
            checked += 1
    assert checked == 3
    with page.expect_navigation():
        page.click("button:has-text('Publish version')")
    banner = page.locator(".nhsuk-notification-banner").inner_text()
    assert "addressing 3 feedback items" in banner
    visitor.check_page("livinglab-module-published")
    visitor.go(item_url)
    assert "This feedback is done" in page.locator("main").inner_text()

    visitor.go(f"/modules/{MODULE}/changes")
    assert page.locator(".app-diff ins").count() >= 1
    visitor.check_page("livinglab-diff")

    # The participant sees version 2 as coming to their cohort (not yet scheduled), its
    # "we did" kept until it reaches them, and has the notification.
    visitor.go("/sign-out")
    with page.expect_navigation():
        page.click("button:has-text('Sign out')")
    visitor.sign_in(PARTICIPANT)
    visitor.go(f"/modules/{MODULE}")
    section = page.locator(".app-you-said")
    assert "You said, we did" in section.inner_text()
    assert "Your feedback" not in section.inner_text()
    coming = page.locator("#coming-versions").inner_text()
    assert "Version 2" in coming and "has not been scheduled" in coming
    visitor.check_page("livinglab-you-said-we-did")
    visitor.go("/notifications")
    assert page.locator(".nhsuk-card", has_text="You said, we did").count() == 1
    visitor.check_page("livinglab-participant-notifications")
