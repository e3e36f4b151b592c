"""An evaluator downloads a package in the browser and the same package with an API token;
the national admin sees both in the export record. Every page passes axe-core."""

from __future__ import annotations

import io
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

from futuredoctor.date_input import date_from_text
from futuredoctor.demo import PARTICIPANTS
from tests.browser.conftest import Visitor

pytestmark = pytest.mark.browser

EVALUATOR = "evaluator@example.nhs.uk"
CSV_FILES = [
    "participants.csv",
    "modules.csv",
    "releases.csv",
    "progress.csv",
    "sessions.csv",
    "feedback.csv",
    "actions.csv",
]


def _csvs(data: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name) for name in CSV_FILES}


def _assert_de_identified(data: bytes) -> None:
    archive = zipfile.ZipFile(io.BytesIO(data))
    text = b"".join(archive.read(n) for n in archive.namelist()).decode()
    assert "@example.nhs.uk" not in text
    for people in PARTICIPANTS.values():
        for given, family, _group, _body, number, _stage in people:
            assert f"{given} {family}" not in text and number not in text


def test_evaluator_downloads_by_web_and_api_and_admin_sees_both(
    visitor: Visitor, tmp_path: Path
) -> None:
    page = visitor.page
    visitor.sign_in(EVALUATOR)
    with page.expect_navigation():
        page.click("text=Download evaluation data")
    assert page.locator("h1").inner_text() == "Download evaluation data"
    visitor.check_page("evaluation-export")

    # Bad input first: a reversed range is refused with an error summary.
    date_from = page.input_value("#date_from")
    date_to = page.input_value("#date_to")
    page.fill("#date_from", date_to)
    page.fill("#date_to", "1/1/2021")
    page.click("button:has-text('Download package')")
    assert "The end date must be the same as or after the start date" in page.inner_text(
        ".nhsuk-error-summary"
    )
    visitor.check_page("evaluation-export-error")

    page.fill("#date_from", date_from)
    page.fill("#date_to", date_to)
    page.check("#kind-2")  # participant-level: the demo evaluator's access allows it
    with page.expect_download() as info:
        page.click("button:has-text('Download package')")
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    web = Path(download.path()).read_bytes()
    web_csvs = _csvs(web)
    # The demo's few consenting participants are too distinct for k = 5: the package says
    # what it generalised and left out rather than showing anyone unique.
    readme = zipfile.ZipFile(io.BytesIO(web)).read("README.md").decode()
    assert "## k-anonymity (k = 5)" in readme
    assert web_csvs["participants.csv"].startswith(b'"participant_id"')
    _assert_de_identified(web)

    visitor.go("/evaluation/data-dictionary")
    visitor.check_page("evaluation-data-dictionary")

    visitor.go("/evaluation/tokens")
    visitor.check_page("evaluation-tokens")
    page.fill("#name", "Journey script")
    page.click("button:has-text('Create token')")
    token = page.inner_text("#new-token").strip()
    assert token.startswith("fdk_")
    visitor.check_page("evaluation-token-created")

    query = urllib.parse.urlencode(
        [
            ("scope", "region:LON"),
            ("scope", "region:SW"),
            ("date_from", _iso(date_from)),  # the API takes dates as YYYY-MM-DD only
            ("date_to", _iso(date_to)),
        ]
    )
    request = urllib.request.Request(  # noqa: S310 (the live server on loopback)
        f"{visitor.base_url}/api/v1/exports?{query}",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
        assert response.headers["Content-Type"] == "application/zip"
        api = response.read()
    assert _csvs(api) == web_csvs  # the same package by script

    visitor.go("/api/v1/docs")
    visitor.check_page("evaluation-api-docs")

    page.context.clear_cookies()
    visitor.sign_in("national.admin@example.nhs.uk")
    assert page.locator('header a[href="/evaluation/exports"]').count() == 1
    visitor.go("/evaluation/exports")
    assert page.locator("h1").inner_text() == "Export record"
    rows = page.locator("tbody tr", has_text=EVALUATOR)
    channels = {rows.nth(i).locator("td").nth(2).inner_text() for i in range(rows.count())}
    assert {"Web", "API"} <= channels
    page.locator("tbody summary").first.click()
    assert "SHA-256" in page.inner_text("tbody")
    visitor.check_page("evaluation-export-record")

    visitor.go("/evaluation/projects")
    assert "Generalist skills pilot evaluation" in page.inner_text("table")
    page.click("text=Generalist skills pilot evaluation")
    assert "DSA-2026-014" in page.inner_text("table")
    visitor.check_page("evaluation-project")


def _iso(uk_date: str) -> str:
    """The web form's UK date (1/12/2026) as the API's ISO date (2026-12-01)."""
    day = date_from_text(uk_date)
    assert day is not None
    return day.isoformat()
