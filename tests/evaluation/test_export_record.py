"""National admins browse the export record; it stays append-only."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.models import ExportRecord, Role
from futuredoctor.models.append_only import AppendOnlyError
from tests.factories import make_user
from tests.helpers import login


def _records(count: int) -> list[Any]:
    people = [make_user(roles=[(Role.EVALUATOR, None)]) for _ in range(3)]
    rows = [
        ExportRecord(
            user_id=people[n % 3].id,
            channel="api" if n % 2 else "web",
            scope={
                "scopes": ["region:LON"],
                "labels": ["London (region)"],
                "date_from": "2026-09-01",
                "date_to": "2026-11-23",
            },
            options={"include_free_text": n % 3 == 0, "files": ["participants.csv"]},
            row_counts={"participants.csv": n},
            sha256=f"{n:064x}",
        )
        for n in range(count)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return people


def test_national_admin_browses_and_filters_exports(client: Any, count_queries: Any) -> None:
    people = _records(60)
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    db.session.commit()
    login(client, admin)
    with count_queries() as few:
        first = client.get("/evaluation/exports")
    assert first.status_code == 200
    page = first.get_data(as_text=True)
    assert "<h1>Export record</h1>" in page and "Showing 1 to 50 of 60" in page
    assert people[0].email in page and f"{59:064x}" in page
    with count_queries() as more:
        assert client.get("/evaluation/exports?page=2").status_code == 200
    assert len(more) <= len(few) + 1  # one page query, whatever the number of rows
    api_only = client.get("/evaluation/exports?channel=api").get_data(as_text=True)
    assert "of 30" in api_only
    mine = client.get(f"/evaluation/exports?person={people[1].email}").get_data(as_text=True)
    assert "of 20" in mine
    bad = client.get("/evaluation/exports?channel=fax")
    assert bad.status_code == 400 and "Select web or API" in bad.get_data(as_text=True)
    assert client.get("/evaluation/exports?page=9").status_code == 404


def test_evaluators_cannot_see_the_export_record_and_records_cannot_change(client: Any) -> None:
    _records(1)
    evaluator = make_user(roles=[(Role.EVALUATOR, None)])
    db.session.commit()
    login(client, evaluator)
    assert client.get("/evaluation/exports").status_code == 403
    record = db.session.scalars(sa.select(ExportRecord)).one()
    record.sha256 = "f" * 64
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()


def test_an_evaluator_sees_their_own_export_history_only(client: Any) -> None:
    people = _records(6)  # people[0] made exports 0 and 3, people[1] made 1 and 4
    login(client, people[0])
    page = client.get("/evaluation/my-exports").get_data(as_text=True)
    assert f"{0:064x}" in page and f"{3:064x}" in page
    assert f"{1:064x}" not in page and f"{4:064x}" not in page
    assert "London (region)" in page and "Showing 1 to 2 of 2" in page
    nobody = make_user(roles=[(Role.EVALUATOR, None)])
    db.session.commit()
    login(client, nobody)
    assert "not downloaded an evaluation package yet" in client.get(
        "/evaluation/my-exports"
    ).get_data(as_text=True)
