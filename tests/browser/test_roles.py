"""Each role signs in, sees its home page in NHS.UK style, and every page it reaches
passes axe-core (WCAG 2.2 A/AA) with no Content-Security-Policy violations."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Visitor

pytestmark = pytest.mark.browser

# role: (demo account, heading on their home page, pages to visit and scan); the demo
# participant's cohort depends on the day the demo data was made.
JOURNEYS = {
    "participant": (
        "participant@example.nhs.uk",
        "Your learning",
        ["/modules", "/modules/shared-decision-making", "/cohorts/{demo_cohort}"],
    ),
    "lead_educator": (
        "lead.educator.london@example.nhs.uk",
        "Your pilot as lead educator",
        ["/pilots/lon-inclusion-health"],
    ),
    "pilot_admin": (
        "pilot.admin.london@example.nhs.uk",
        "Enrolment in your pilot",
        ["/pilots", "/cohorts/{demo_cohort}"],
    ),
    "regional_lead": (
        "regional.lead.london@example.nhs.uk",
        "Your region",
        ["/regions/LON"],
    ),
    "evaluator": ("evaluator@example.nhs.uk", "Evaluation data", []),
    "champion": ("champion.southwest@example.nhs.uk", "Champion", []),
    "national_admin": (
        "national.admin@example.nhs.uk",
        "National administration",
        ["/admin/users", "/admin/users/new", "/admin/users/1", "/admin/audit", "/regions/SW"],
    ),
}


@pytest.mark.parametrize("role", JOURNEYS)
def test_role_signs_in_and_pages_are_accessible(
    visitor: Visitor, demo_cohort: str, role: str
) -> None:
    email, heading, pages = JOURNEYS[role]
    pages = [path.format(demo_cohort=demo_cohort) for path in pages]
    visitor.sign_in(email)
    assert visitor.page.locator("h2", has_text=heading).count() == 1
    assert visitor.page.locator(".nhsuk-header").count() == 1
    visitor.check_page(f"home-{role}")
    for path in pages:
        response = visitor.go(path)
        assert response.status == 200, path
        visitor.check_page(f"{role}{path.replace('/', '-')}")


def test_other_regions_records_are_not_found(visitor: Visitor) -> None:
    visitor.sign_in("regional.lead.london@example.nhs.uk")
    response = visitor.go("/regions/SW")
    assert response.status == 404
    assert visitor.page.locator("h1").inner_text() == "Page not found"
    visitor.check_page("regional-lead-404")


def test_signed_out_pages_and_sign_in_errors_are_accessible(visitor: Visitor) -> None:
    visitor.go("/")
    visitor.check_page("welcome")
    visitor.sign_in("participant@example.nhs.uk", "a-wrong-password")
    summary = visitor.page.locator(".nhsuk-error-summary")
    assert "Enter a correct email address and password" in summary.inner_text()
    visitor.check_page("sign-in-error")
    visitor.go("/sign-in")
    with visitor.page.expect_navigation():
        visitor.page.click("button:has-text('Sign in')")
    assert visitor.page.locator(".nhsuk-error-message").count() == 2
    visitor.check_page("sign-in-empty")


def test_keyboard_user_can_sign_in_and_out(visitor: Visitor) -> None:
    visitor.go("/sign-in")
    page = visitor.page
    page.keyboard.press("Tab")  # skip link first
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.focus("#email")
    page.keyboard.type("participant@example.nhs.uk")
    page.keyboard.press("Tab")
    page.keyboard.type("pilot-demo-2026")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Hello, Amara" in page.locator("h1").inner_text()
    visitor.go("/sign-out")
    with page.expect_navigation():
        page.click("button:has-text('Sign out')")
    assert "You have signed out" in page.locator(".nhsuk-notification-banner").inner_text()
    visitor.check_page("signed-out")
