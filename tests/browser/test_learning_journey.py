"""The demo participant takes a module, reflects, gives feedback, sees their GPC coverage,
prints their completion record and downloads their data; every page passes axe-core."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.browser.conftest import ARTIFACTS, Visitor

pytestmark = pytest.mark.browser

MODULE = "/modules/multimorbidity-whole-person-care"


def test_participant_learning_journey(visitor: Visitor) -> None:
    page = visitor.page
    visitor.sign_in("participant@example.nhs.uk")
    assert page.locator("caption", has_text="Modules released to you").count() == 1
    visitor.check_page("learning-home")

    visitor.go("/my-learning")
    assert page.locator("h1").inner_text() == "My learning"
    assert page.locator(".nhsuk-tag", has_text="New").count() >= 1
    visitor.check_page("learning-my-learning")

    visitor.go(MODULE)
    visitor.check_page("learning-module-not-started")
    with page.expect_navigation():
        page.click("button:has-text('Start this module')")
    assert "You have started this module" in page.locator(".nhsuk-notification-banner").inner_text()
    visitor.check_page("learning-module-started")
    with page.expect_navigation():
        page.click("button:has-text('Mark as completed')")
    assert "Module completed" in page.locator(".nhsuk-notification-banner").inner_text()
    assert page.locator("#your-progress .nhsuk-tag", has_text="Completed").count() == 1
    visitor.check_page("learning-module-completed")

    with page.expect_navigation():
        page.click("a:has-text('Write a reflection')")
    visitor.check_page("learning-reflection")
    page.fill("#reflection", "I will review every medicine with the patient's own goals in mind.")
    with page.expect_navigation():
        page.click("button:has-text('Save reflection')")
    assert "Only you can see it" in page.locator(".nhsuk-notification-banner").inner_text()

    with page.expect_navigation():
        page.click("a:has-text('Give feedback')")
    with page.expect_navigation():
        page.click("button:has-text('Send feedback')")  # nothing chosen: errors
    assert page.locator(".nhsuk-error-summary li").count() == 3
    visitor.check_page("learning-feedback-errors")
    page.check("#relevance-5")
    page.check("#quality-4")
    page.check("#applicability-5")
    page.fill("#text", "The polypharmacy case was excellent.")
    page.check("#notify_on_action")
    visitor.check_page("learning-feedback")
    with page.expect_navigation():
        page.click("button:has-text('Send feedback')")
    assert "Thank you" in page.locator(".nhsuk-notification-banner").inner_text()

    visitor.go("/my-learning/gpc-coverage")
    assert page.locator("svg[role='img'] rect.app-chart__bar").count() >= 1
    assert page.locator("caption", has_text="per GPC domain").count() == 1
    visitor.check_page("learning-gpc-coverage")

    visitor.go("/my-learning/completion-record")
    record = page.locator("main").inner_text()
    assert "Amara Okafor" in record and "GMC 7123456" in record
    assert "Whole-person care for people with multiple long-term conditions" in record
    assert "Inclusion health and caring for people experiencing homelessness" in record
    assert page.locator("[data-app-print]").is_visible()
    visitor.check_page("learning-completion-record")
    page.emulate_media(media="print")
    assert not page.locator(".nhsuk-header").is_visible()
    assert not page.locator(".nhsuk-footer").is_visible()
    assert not page.locator("[data-app-print]").is_visible()
    visitor.screenshot("learning-completion-record-print")
    page.emulate_media(media="screen")

    visitor.go("/account")
    visitor.check_page("learning-account")
    with page.expect_download() as download_info:
        page.click("button:has-text('Download my data')")
    path = download_info.value.path()
    ARTIFACTS.mkdir(exist_ok=True)
    archive = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    assert "progress.csv" in archive.namelist()
    assert b"polypharmacy case" in archive.read("feedback.json")

    visitor.go("/account/close")
    visitor.check_page("learning-close-account")


def test_another_participants_pages_show_only_their_own_records(visitor: Visitor) -> None:
    visitor.sign_in("tom.hughes@example.nhs.uk")
    visitor.go(MODULE + "/reflection")
    assert "review every medicine" not in visitor.page.locator("main").inner_text()
    visitor.go("/modules/teaching-on-the-job/feedback")
    assert "has not been released to you yet" in visitor.page.locator("h1").inner_text()
    visitor.check_page("learning-not-released")
