"""The enrolment journey in a real browser: a pilot administrator uploads a CSV with
mistakes, sees every mistake by row and column, fixes it and uploads again; an invited
participant opens their link, sets a password, declines research use and later agrees
on the account page. Every page passes axe-core and the CSP."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Visitor, emailed_path

pytestmark = pytest.mark.browser

COHORT = "lon-next"  # open for enrolment now (tests.factories.current_cohorts)
HEADER = (
    "email,given_name,family_name,professional_group,registration_body,"
    "registration_number,career_stage,employer,cohort"
)
WITH_MISTAKES = "\r\n".join(
    [
        HEADER,
        f"riya.patel@example.nhs.uk,Riya,Patel,doctor,GMC,71234,FY1,Trust,{COHORT}",
        f"RIYA.PATEL@example.nhs.uk,Riya,Patel,doctor,GMC,7123411,FY1,Trust,{COHORT}",
        "sam.cole@example.nhs.uk,Sam,Cole,nurse,NMC,12A3457E,FY9,Trust,no-such-cohort",
    ]
)
FIXED = "\r\n".join(
    [
        HEADER,
        f"riya.patel@example.nhs.uk,Riya,Patel,doctor,GMC,7123411,FY1,Trust,{COHORT}",
        f"sam.cole@example.nhs.uk,Sam,Cole,nurse,NMC,12A3457E,other,Trust,{COHORT}",
    ]
)


def _upload(visitor: Visitor, text: str) -> None:
    page = visitor.page
    page.set_input_files(
        "#file", {"name": "people.csv", "mimeType": "text/csv", "buffer": text.encode()}
    )
    with page.expect_navigation():
        page.click("button:has-text('Check and upload')")


def _invitation_path(database, email: str) -> str:
    return emailed_path(database, email, "invitation")


def test_pilot_admin_fixes_a_csv_and_the_participant_accepts(
    visitor: Visitor, live_database
) -> None:
    page = visitor.page
    visitor.sign_in("pilot.admin.london@example.nhs.uk")
    assert visitor.go(f"/cohorts/{COHORT}/roster").status == 200
    visitor.check_page("enrolment-roster")
    visitor.go(f"/cohorts/{COHORT}/import")
    visitor.check_page("enrolment-import")

    _upload(visitor, WITH_MISTAKES)
    summary = page.locator(".nhsuk-error-summary").inner_text()
    assert "There are 4 problems" in summary and "Nobody has been enrolled" in summary
    report = [
        [cell.strip() for cell in row.split("\t")]
        for row in page.locator("#problems tbody tr").all_inner_texts()
    ]
    rows = [(r[0], r[-2]) for r in report]  # row, (person,) column, problem
    assert rows == [
        ("2", "registration_number"),
        ("3", "email"),
        ("4", "career_stage"),
        ("4", "cohort"),
    ], report
    visitor.check_page("enrolment-import-problems")

    _upload(visitor, FIXED)
    assert page.url.endswith(f"/cohorts/{COHORT}/roster")
    assert "Enrolled 2 people" in page.locator(".nhsuk-notification-banner").inner_text()
    page.fill("#q", "riya")
    with page.expect_navigation():
        page.click("button:has-text('Search')")
    assert "Riya Patel" in page.locator("table").inner_text()
    visitor.check_page("enrolment-roster-after-import")
    visitor.go("/join-requests")
    visitor.check_page("enrolment-join-requests")
    visitor.go(f"/cohorts/{COHORT}/enrol")
    visitor.check_page("enrolment-enrol-form")

    visitor.go("/sign-out")
    with page.expect_navigation():
        page.click("button:has-text('Sign out')")
    visitor.go(f"/join/{COHORT}")
    visitor.check_page("enrolment-join-form")

    path = _invitation_path(live_database, "riya.patel@example.nhs.uk")
    assert visitor.go(path).status == 200
    visitor.check_page("enrolment-invitation")
    with page.expect_navigation():
        page.click("button:has-text('Accept my place')")
    assert page.locator(".nhsuk-error-summary").count() == 1
    visitor.check_page("enrolment-invitation-errors")
    page.fill("#password", "riya-patel-pilot-2026")
    page.fill("#confirm", "riya-patel-pilot-2026")
    page.check("#consent-2")  # No
    with page.expect_navigation():
        page.click("button:has-text('Accept my place')")
    assert "declined research use" in page.locator(".nhsuk-notification-banner").inner_text()

    visitor.go("/account/research-consent")
    assert "Declined" in page.locator("main").inner_text()
    visitor.check_page("enrolment-research-consent")
    page.locator("form:has(input[name=enrolment_id]) input[value=yes]").first.check()
    with page.expect_navigation():
        page.locator("button:has-text('Save my choice')").first.click()
    assert "agreed to research use" in page.locator(".nhsuk-notification-banner").inner_text()
    history = page.locator("table").first.inner_text()
    assert "Agreed" in history and "Declined" in history
    visitor.check_page("enrolment-research-consent-changed")

    assert visitor.go(path).status == 200  # the used link explains itself
    visitor.go("/invitations/not-a-real-token")
    assert "not valid" in page.locator("h1").inner_text()
    visitor.check_page("enrolment-invitation-invalid")
