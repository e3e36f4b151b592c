"""A lead educator follows a GPC domain and finds a new post on their Following page; a
participant reports the post; London's regional lead dismisses the report from the
moderation queue. Every page passes axe-core at 375 px and 1280 px with no sideways
scroll."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Visitor
from tests.browser.widths import check_both_widths

pytestmark = pytest.mark.browser

CHAMPION = "champion.southwest@example.nhs.uk"
EDUCATOR = "lead.educator.london@example.nhs.uk"
PARTICIPANT = "participant@example.nhs.uk"
LEAD = "regional.lead.london@example.nhs.uk"
TITLE = "Teaching handovers with a shared checklist"


def _check_both_widths(visitor: Visitor, name: str) -> None:
    """Both widths, measured once layout has settled after each resize."""
    check_both_widths(visitor, name)
    visitor.page.set_viewport_size({"width": 1200, "height": 900})


def test_follow_a_domain_then_report_and_dismiss(visitor: Visitor) -> None:
    page = visitor.page
    visitor.sign_in(CHAMPION)
    visitor.go("/network/new")
    page.fill("#title", TITLE)
    page.fill("#body", "A shared checklist made evening handovers **shorter**.")
    page.select_option("#region", value="LON")
    page.check("input[name='domains'][value='GPC8']")
    visitor.press("Post")
    visitor.sign_out()

    visitor.sign_in(EDUCATOR)
    visitor.go("/network?domain=GPC8")
    _check_both_widths(visitor, "network-list-follow")
    visitor.press("Follow")
    assert "You follow GPC8" in page.locator("main").inner_text()
    visitor.go("/network/following")
    assert page.locator(".nhsuk-card", has_text=TITLE).count() == 1
    _check_both_widths(visitor, "network-following")
    visitor.go("/modules/shared-decision-making")
    assert "What other pilots changed" in page.locator("main").inner_text()
    _check_both_widths(visitor, "module-other-pilots")
    page.set_viewport_size({"width": 375, "height": 900})
    section = page.locator("section[aria-labelledby='other-pilots']")
    section.screenshot(
        path=str(
            visitor.screenshot("module-other-pilots-page").parent
            / "module-other-pilots-section-375.png"
        )
    )
    page.set_viewport_size({"width": 1200, "height": 900})
    visitor.sign_out()

    visitor.sign_in(PARTICIPANT)
    visitor.go("/network?domain=GPC8")
    with page.expect_navigation():
        page.click(f"a:has-text('{TITLE}')")
    page.click("summary:has-text('Report this post')")
    page.fill("#report-reason", "It names a colleague")
    visitor.press("Report post")
    visitor.sign_out()

    visitor.sign_in(LEAD)
    visitor.go("/network/moderation")
    entry = page.locator("li.nhsuk-card", has_text=TITLE)
    assert "1 open report" in entry.inner_text() and "names a colleague" in entry.inner_text()
    _check_both_widths(visitor, "network-moderation")
    entry.locator("textarea").fill("The colleague agreed to be named")
    with page.expect_navigation():
        entry.locator("button:has-text('Dismiss reports')").click()
    main = page.locator("main").inner_text()
    assert "The reports are dismissed" in main and TITLE not in main
    visitor.go("/network/moderation?show=hidden")
    _check_both_widths(visitor, "network-moderation-hidden")
