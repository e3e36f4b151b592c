"""The region dashboard's tables as CSV, for leads who report upwards in spreadsheets. The
rows come from the same ``Dashboard`` the page shows, so the two always agree."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from futuredoctor.releases.dashboard import Dashboard
from futuredoctor.spreadsheet import safe_cell

TABLES = {
    "coverage": "GPC coverage by pilot",
    "completion": "Completion by module",
}


def coverage_rows(board: Dashboard) -> Iterable[list[object]]:
    yield [
        "pilot",
        "gpc_domain",
        "domain_title",
        "modules_released",
        "offered",
        "completed",
        "percent_completed",
    ]
    for row in board.coverage:
        for domain in board.domains:
            cell = row.cells[domain.code]
            percent = "" if cell.percent is None else cell.percent
            yield [
                row.pilot.name,
                domain.code,
                domain.title,
                cell.modules,
                cell.offered,
                cell.completed,
                percent,
            ]


def completion_rows(board: Dashboard) -> Iterable[list[object]]:
    yield ["module", "released_to", "started", "completed", "percent_completed"]
    for m in board.completion:
        yield [m.title, m.offered, m.started, m.completed, m.percent]


def table_csv(board: Dashboard, table: str) -> str:
    """One table as CSV text with Excel's UTF-8 mark; cells that look like formulas are
    made safe."""
    rows = coverage_rows(board) if table == "coverage" else completion_rows(board)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return "\ufeff" + out.getvalue()
