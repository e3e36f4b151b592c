"""A champion fills in their profile, publishes a taster day and sees it in the
directory; a participant finds it, registers and takes the calendar file; the champion
opens the registrations and marks the participant as attended. Every page passes axe-core
with no CSP violations."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.conftest import Visitor
from tests.dates import today

pytestmark = pytest.mark.browser

CHAMPION = "champion.southwest@example.nhs.uk"
PARTICIPANT = "participant@example.nhs.uk"


def test_champion_profile_opportunity_registration_and_attendance(visitor: Visitor):
    page = visitor.page
    visitor.sign_in(CHAMPION)
    assert "Create your profile" in page.locator("main").inner_text()
    visitor.check_page("champion-home-empty")

    visitor.go("/champion/profile")
    page.fill("#profession", "Doctor")
    page.fill("#job_title", "GP partner in a coastal practice")
    page.fill("#availability", "Thursday afternoons")
    page.check("input[name='domains'][value='GPC6']")
    page.check("input[name='offers'][value='taster_sessions']")
    page.check("input[name='visibility'][value='public']")
    visitor.check_page("champion-profile-form")
    with page.expect_navigation():
        page.click("button:has-text('Save profile')")
    assert "GP partner in a coastal practice" in page.locator("h1 + p").inner_text()
    visitor.check_page("champion-profile")

    visitor.go("/champions?offer=taster_sessions")
    assert page.locator(".nhsuk-card", has_text="Gwen Tremayne").count() == 1
    visitor.check_page("champions-directory")

    day = today() + timedelta(days=12)
    visitor.go("/opportunities/new")
    page.select_option("#kind", value="taster_day")
    page.fill("#title", "Coastal general practice taster day")
    page.fill("#location", "Penzance health centre")
    for prefix, value in (("start", day), ("closes_on", day - timedelta(days=2))):
        page.fill(f"#{prefix}_day", str(value.day))
        page.fill(f"#{prefix}_month", str(value.month))
        page.fill(f"#{prefix}_year", str(value.year))
    page.fill("#start_time", "09:30")
    page.fill("#end_time", "16:00")
    page.fill("#capacity", "1")
    page.select_option("#is_public", value="yes")
    visitor.check_page("opportunity-form")
    with page.expect_navigation():
        page.click("button:has-text('Publish')")
    assert page.locator("h1").inner_text() == "Coastal general practice taster day"
    opportunity_url = page.url
    visitor.check_page("opportunity-organiser")

    visitor.sign_out()
    visitor.go("/opportunities/public")
    assert page.locator("h3", has_text="Coastal general practice taster day").count() == 1
    visitor.check_page("opportunities-public")

    visitor.sign_in(PARTICIPANT)
    assert "Coastal general practice taster day" in page.locator("main").inner_text()
    visitor.go("/opportunities")
    visitor.check_page("opportunities-participant")
    with page.expect_navigation():
        page.click("a:has-text('Coastal general practice taster day')")
    with page.expect_navigation():
        page.click("button:has-text('Register')")
    assert "You have a place" in page.locator("main").inner_text()
    visitor.check_page("opportunity-registered")
    ics = page.request.get(opportunity_url + "/calendar.ics")
    assert ics.ok and "BEGIN:VEVENT" in ics.text()
    visitor.go("/calendar")
    with page.expect_navigation():
        page.click("button:has-text('Make my feed address')")
    assert "/calendar/" in page.locator("code").inner_text()
    visitor.check_page("calendar-feed")

    visitor.sign_out()
    visitor.sign_in(CHAMPION)
    page.goto(opportunity_url + "/registrations")
    row = page.locator("tbody tr", has_text="Has a place")
    assert row.count() == 1
    row.locator("input[name='attended']").check()
    visitor.check_page("opportunity-registrations")
    with page.expect_navigation():
        page.click("button:has-text('Save attendance')")
    assert page.locator("tbody tr", has_text="Attended").count() == 1
    visitor.go("/")
    assert "1 of 1 places taken" in page.locator("main").inner_text()
    visitor.check_page("champion-home")
