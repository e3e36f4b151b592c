""""Preview counts" on the export form: rows per file, nothing downloaded, the same
numbers as the package itself."""

from __future__ import annotations

import csv
import html
import io
import re
from typing import Any

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.models import ExportRecord
from tests.evaluation.conftest import Study, export_form, open_zip
from tests.helpers import login


def _previewed(page: str) -> dict[str, int]:
    table = page.split('id="preview-counts"', 1)[1].split("</table>", 1)[0]
    pairs = re.findall(r"<code>([^<]+)</code></td><td[^>]*>([\d,]+)</td>", table)
    return {html.unescape(path): int(n.replace(",", "")) for path, n in pairs}


def test_preview_counts_agree_with_the_download(client: Any, study: Study) -> None:
    login(client, study.evaluator)
    for kind in ("participant", "aggregate"):
        response = client.post("/evaluation/", data=export_form(kind=kind, preview="1"))
        assert response.status_code == 200
        assert response.mimetype == "text/html"
        counts = _previewed(response.get_data(as_text=True))
        assert counts and db.session.scalar(sa.select(sa.func.count(ExportRecord.id))) == 0

        archive = open_zip(client.post("/evaluation/", data=export_form(kind=kind)).get_data())
        for path, n in counts.items():
            rows = list(csv.reader(io.StringIO(archive.read(path).decode("utf-8"), newline="")))
            assert len(rows) - 1 == n, path
        db.session.execute(sa.delete(ExportRecord))
        db.session.commit()


def test_preview_with_bad_input_says_what_is_wrong(client: Any, study: Study) -> None:
    login(client, study.evaluator)
    response = client.post("/evaluation/", data=export_form(date_from="", preview="1"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Enter a start date" in page and 'id="preview-counts"' not in page
