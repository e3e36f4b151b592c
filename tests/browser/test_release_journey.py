"""A regional lead schedules a release for tomorrow 09:00 for two cohorts, sees it in the
calendar and in the cohort preview for tomorrow, and is refused for the next clock-change
hours. Every page passes axe-core with no CSP violations. Dates follow the app clock, so
"09:00 GMT" reads "09:00 BST" in summer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser.conftest import Visitor
from tests.dates import next_clock_change, tomorrow, zone_name

pytestmark = pytest.mark.browser

LEAD = "regional.lead.london@example.nhs.uk"


def _fill_release(visitor: Visitor, module: str, cohorts: list[str], day: date, at: str) -> None:
    page = visitor.page
    visitor.go("/releases/new")
    value = page.locator("#version option", has_text=module).first.get_attribute("value")
    page.select_option("#version", value=value)
    for slug in cohorts:
        page.check(f"input[name='cohorts'][value='{slug}']")
    page.fill("#release_day", str(day.day))
    page.fill("#release_month", str(day.month))
    page.fill("#release_year", str(day.year))
    page.fill("#release_time", at)
    with page.expect_navigation():
        page.click("button:has-text('Schedule release')")


def test_regional_lead_schedules_previews_and_is_refused_at_clock_changes(visitor: Visitor):
    page = visitor.page
    visitor.sign_in(LEAD)
    assert page.locator("a", has_text="Schedule a module release").count() == 1
    assert visitor.go("/releases/new").status == 200
    visitor.check_page("release-new")

    day = tomorrow()
    nine = f"09:00 {zone_name(day)}"  # GMT or BST
    _fill_release(visitor, "Teaching on the job", ["lon-current", "lon-next"], day, "09:00")
    banner = page.locator(".nhsuk-notification-banner").inner_text()
    assert "will be released to the Current cohort and Next cohort" in banner
    assert nine in banner
    calendar = page.locator("table.app-calendar").inner_text()
    assert calendar.count(f"{nine} Teaching on the job") == 2
    visitor.check_page("release-calendar-month")

    assert visitor.go("/releases/list").status == 200
    assert page.locator("td", has_text="Teaching on the job").count() == 2
    visitor.check_page("release-list")

    response = visitor.go(f"/cohorts/lon-current/preview?date={day.isoformat()}")
    assert response.status == 200
    card = page.locator(".nhsuk-card", has_text="Teaching on the job")
    assert f"New that day at {nine}" in card.inner_text()
    visitor.check_page("release-preview-tomorrow")
    visitor.go(f"/cohorts/lon-current/preview?date={(day - timedelta(days=1)).isoformat()}")
    assert page.locator(".nhsuk-card", has_text="Teaching on the job").count() == 0

    # Clocks go forward: 01:30 on the last Sunday in March never happens.
    _fill_release(visitor, "Digital health", ["lon-next"], next_clock_change(True), "01:30")
    summary = page.locator(".nhsuk-error-summary").inner_text()
    assert "does not exist in UK time" in summary
    assert "00:59 GMT or earlier, or 02:00 BST or later" in summary
    visitor.check_page("release-refused-clocks-forward")
    # Clocks go back: 01:30 on the last Sunday in October happens twice.
    _fill_release(visitor, "Digital health", ["lon-next"], next_clock_change(False), "01:30")
    assert "happens twice in UK time" in page.locator(".nhsuk-error-summary").inner_text()
    visitor.check_page("release-refused-clocks-back")
    visitor.go("/releases/list")
    assert page.locator("td", has_text="Digital health").count() == 0


def test_release_detail_change_withdraw_and_dashboard_pages(visitor: Visitor):
    page = visitor.page
    visitor.sign_in(LEAD)
    visitor.go("/releases/list")
    with page.expect_navigation():
        page.locator("table a").first.click()
    visitor.check_page("release-detail")
    with page.expect_navigation():
        page.click("a:has-text('Change the release time')")
    visitor.check_page("release-change")
    page.fill("#release_time", "25:00")
    with page.expect_navigation():
        page.click("button:has-text('Save new time')")
    assert "24-hour clock" in page.locator(".nhsuk-error-summary").inner_text()
    visitor.check_page("release-change-error")
    visitor.go("/releases/list")
    with page.expect_navigation():
        page.locator("table a").first.click()
    with page.expect_navigation():
        page.click("a:has-text('Withdraw this release')")
    visitor.check_page("release-withdraw")
    assert visitor.go("/releases/preview").status == 200
    visitor.check_page("release-preview-choose")
    assert visitor.go("/regions/LON/dashboard").status == 200
    assert page.locator("svg[role='img'] #heatmap-title").count() == 1
    assert page.locator("caption", has_text="GPC coverage by pilot").count() == 1
    visitor.check_page("region-dashboard")


def test_participant_inbox_and_settings(visitor: Visitor):
    page = visitor.page
    visitor.sign_in("participant@example.nhs.uk")
    assert page.locator(".nhsuk-header a", has_text="Notifications").count() >= 1
    assert visitor.go("/notifications").status == 200
    assert page.locator(".nhsuk-card", has_text="New module").count() >= 1
    visitor.check_page("notifications-inbox")
    assert visitor.go("/notifications/preferences").status == 200
    visitor.check_page("notifications-preferences")
    page.check("#digest-2")
    with page.expect_navigation():
        page.click("button:has-text('Save settings')")
    assert "saved" in page.locator(".nhsuk-notification-banner").inner_text()
