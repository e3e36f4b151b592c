"""Pressing Enter in a form with a module-version picker: in the picker's search box it
finds versions; in any other field it submits the form's main action, not "Find versions"
(the form's first visible submit button). The page stays axe-clean with the hidden default
button in it."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Visitor
from tests.dates import tomorrow

pytestmark = pytest.mark.browser

LEAD = "regional.lead.london@example.nhs.uk"
MODULE = "Digital health and informatics"


def test_enter_finds_in_the_search_box_and_submits_the_form_elsewhere(visitor: Visitor):
    page = visitor.page
    visitor.sign_in(LEAD)
    assert visitor.go("/releases/new").status == 200
    visitor.check_page("version-picker-enter")

    # Enter in the search box narrows the list and saves nothing.
    page.fill("#find", "digital")
    with page.expect_navigation():
        page.press("#find", "Enter")
    assert page.url.endswith("/releases/new")
    status = page.locator("#version-picker-status").inner_text()
    assert "whose title contains “digital”" in status
    assert page.locator(".nhsuk-notification-banner").count() == 0
    assert page.locator(".nhsuk-error-summary").count() == 0  # not a submit of the form
    options = page.locator("#version option").all_inner_texts()
    assert any(MODULE in text for text in options)
    assert not any("Teaching on the job" in text for text in options)
    visitor.check_page("version-picker-enter-found")

    # Enter in another field schedules the release, as the main button does.
    value = page.locator("#version option", has_text=MODULE).first.get_attribute("value")
    page.select_option("#version", value=value)
    page.check("input[name='cohorts'][value='lon-current']")
    day = tomorrow()
    page.fill("#release_day", str(day.day))
    page.fill("#release_month", str(day.month))
    page.fill("#release_year", str(day.year))
    page.fill("#release_time", "10:30")
    with page.expect_navigation():
        page.press("#release_time", "Enter")
    banner = page.locator(".nhsuk-notification-banner").inner_text()
    assert "will be released to the Current cohort" in banner
    assert "/releases/new" not in page.url


def test_the_default_button_is_out_of_the_way_of_keyboard_and_screen_reader(
    visitor: Visitor,
):
    page = visitor.page
    visitor.sign_in(LEAD)
    visitor.go("/releases/new")
    hidden = page.locator("form input[data-default-submit]")
    assert hidden.count() == 1
    assert hidden.get_attribute("value") == "Schedule release"
    assert hidden.get_attribute("tabindex") == "-1"
    # It is the form's first submit button: the one Enter presses.
    first = page.evaluate(
        "() => document.querySelector('#find').form"
        ".querySelector('button[type=submit], input[type=submit]').value"
    )
    assert first == "Schedule release"
    # Tabbing from the search box goes to "Find versions", never to the hidden copy.
    page.focus("#find")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Find versions"
    names = page.evaluate(
        "() => Array.from(document.querySelectorAll('main button, main input[type=submit]'))"
        ".filter(b => !b.closest('[aria-hidden=true]') && b.getAttribute('aria-hidden') !== 'true')"
        ".map(b => (b.value || b.textContent).trim())"
    )
    assert names.count("Schedule release") == 1
