"""An evaluator previews how many rows each file of a package would hold, then downloads
that package and finds the same numbers in it. Every page is checked at 375 px and
1280 px."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from tests.browser.conftest import Visitor
from tests.browser.widths import check_both_widths

pytestmark = pytest.mark.browser

EVALUATOR = "evaluator@example.nhs.uk"


def _rows_per_file(data: bytes) -> dict[str, int]:
    """Rows under the header of each CSV file in the package."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {
        name: len(list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))) - 1
        for name in archive.namelist()
        if name.endswith(".csv")
    }


def test_evaluator_previews_row_counts_then_downloads(visitor: Visitor) -> None:
    page = visitor.page
    visitor.sign_in(EVALUATOR)
    assert visitor.go("/evaluation/").status == 200
    assert page.locator("#preview-counts").count() == 0
    check_both_widths(visitor, "export-preview-form")

    # A preview of a reversed range is refused like a download, with nothing counted.
    date_from, date_to = page.input_value("#date_from"), page.input_value("#date_to")
    page.fill("#date_from", date_to)
    page.fill("#date_to", "1/1/2021")
    with page.expect_navigation():
        page.click("button:has-text('Preview counts')")
    assert "end date must be the same as or after" in page.inner_text(".nhsuk-error-summary")
    assert page.locator("#preview-counts").count() == 0
    check_both_widths(visitor, "export-preview-error")

    page.fill("#date_from", date_from)
    page.fill("#date_to", date_to)
    page.check("#kind-2")  # participant-level
    with page.expect_navigation():
        page.click("button:has-text('Preview counts')")
    table = page.locator("#preview-counts")
    assert "nothing was downloaded" in table.locator("caption").inner_text()
    preview = {}
    for row in table.locator("tbody tr").all():
        name, count = row.locator("td").all_inner_texts()
        preview[name.strip()] = int(count.replace(",", ""))
    # The demo's consenting participants are too few to pass k = 5, so some files are empty;
    # the lookups are not.
    assert "participants.csv" in preview and preview["modules.csv"] > 0
    # Every choice is kept, so the download is of exactly what was previewed.
    assert page.is_checked("#kind-2")
    assert (page.input_value("#date_from"), page.input_value("#date_to")) == (date_from, date_to)
    check_both_widths(visitor, "export-preview-counts")

    with page.expect_download() as info:
        page.click("button:has-text('Download package')")
    assert _rows_per_file(Path(info.value.path()).read_bytes()) == preview
