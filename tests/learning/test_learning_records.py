"""GPC coverage, the completion record, "download my data" and the request to close the
account."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import timedelta

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.learning.my_data import DATASETS
from futuredoctor.learning.services import gpc_domains
from futuredoctor.models import (
    AccountClosureRequest,
    AuditEvent,
    Notification,
    Progress,
    Role,
    utcnow,
)
from futuredoctor.models.content_stamp import BUMPED
from futuredoctor.spreadsheet import safe_cell
from tests.factories import make_user
from tests.helpers import login
from tests.learning.conftest import add_version, count, enrolment_of, map_domains


def _complete(journey, name: str, days_ago: int = 1, **extra) -> None:
    db.session.add(
        Progress(
            enrolment_id=enrolment_of(journey.participant).id,
            release_id=journey.releases[name].id,
            started_at=utcnow() - timedelta(days=days_ago + 1),
            completed_at=utcnow() - timedelta(days=days_ago),
            **extra,
        )
    )
    db.session.commit()


def test_coverage_counts_completed_modules_and_minutes_per_domain(client, journey) -> None:
    codes = sorted(d.code for d in gpc_domains())
    _complete(journey, "old")  # domains codes[0], codes[1]
    _complete(journey, "recent")  # domains codes[1], codes[2]
    login(client, journey.participant)
    html = client.get("/my-learning/gpc-coverage").get_data(as_text=True)
    assert html.count('class="app-chart__bar"') == 3
    assert 'role="img"' in html and "<title" in html
    assert "You have completed 2 modules, covering 3 of the 9 domains" in html
    assert f"{codes[1]}: 2 modules, 40 minutes." in html  # the chart's text alternative
    row = html[html.index(f">{codes[1]} – ") : html.index("</tr>", html.index(f">{codes[1]} – "))]
    assert row.count(">2</td>") == 1 and ">40</td>" in row


def test_coverage_and_record_count_a_module_once_with_its_newest_completed_version(
    client, journey
) -> None:
    codes = sorted(d.code for d in gpc_domains())
    _complete(journey, "old", days_ago=20)
    v2 = add_version(journey.modules["old"], 2, minutes=45, title="Module old, revised")
    map_domains(v2, codes[8])
    from tests.factories import make_release

    release = make_release(v2, journey.cohort, days_from_now=-3)
    db.session.add(
        Progress(
            enrolment_id=enrolment_of(journey.participant).id,
            release_id=release.id,
            started_at=utcnow() - timedelta(days=2),
            completed_at=utcnow() - timedelta(days=1),
        )
    )
    db.session.commit()
    login(client, journey.participant)
    record = client.get("/my-learning/completion-record").get_data(as_text=True)
    assert "Module old, revised" in record and "Total: 1 module" in record
    assert ">45</td>" in record and "0.8 hours" in record
    coverage = client.get("/my-learning/gpc-coverage").get_data(as_text=True)
    assert f"{codes[8]}: 1 module, 45 minutes." in coverage
    assert f"{codes[0]}: 0 modules, 0 minutes." in coverage


def test_completion_record_lists_person_modules_dates_and_totals(client, journey) -> None:
    _complete(journey, "old", reflection="Private thoughts")
    _complete(journey, "today")
    login(client, journey.participant)
    html = client.get("/my-learning/completion-record").get_data(as_text=True)
    assert "Amara Okafor" in html and "GMC 7123456" in html and "FY2" in html
    assert "Module old" in html and "Module today" in html and "Module recent" not in html
    assert "Total: 2 modules" in html
    # The totals sit under the minutes column; the GPC domains cell of the total row is empty.
    total_row = html[html.index("app-record__total") : html.index("</tfoot>")]
    assert re.search(
        r"numeric\">40<br>.*hours\)</span></td>\s*<td class=\"nhsuk-table__cell\"></td>", total_row
    )
    assert "Private thoughts" not in html
    assert "print-record.js" in html and "app-no-print" in html
    assert "Horus, Kaizen, Turas or FourteenFish" in html


def test_download_my_data_is_a_zip_of_csv_and_json(client, journey) -> None:
    _complete(journey, "old", reflection='=HYPERLINK("http://evil")')
    login(client, journey.participant)
    client.post("/modules/mod-old/feedback", data={
        "relevance": "4", "quality": "4", "applicability": "4", "text": "+1 useful"})  # fmt: skip
    response = client.post("/account/download-my-data")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.is_streamed
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = set(archive.namelist())
    for dataset in DATASETS:
        assert {f"{dataset.name}.csv", f"{dataset.name}.json"} <= names
    profile = json.loads(archive.read("profile.json"))
    assert profile[0]["email"] == "amara@example.nhs.uk"
    progress = list(csv.DictReader(io.StringIO(archive.read("progress.csv").decode())))
    assert progress[0]["reflection"] == '\'=HYPERLINK("http://evil")'
    assert json.loads(archive.read("progress.json"))[0]["reflection"].startswith("=HYPERLINK")
    feedback = list(csv.DictReader(io.StringIO(archive.read("feedback.csv").decode())))
    assert feedback[0]["text"] == "'+1 useful"
    actions = {row["action"] for row in json.loads(archive.read("audit_events.json"))}
    assert {"login.succeeded", "personal_data.downloaded"} <= actions
    # Nothing about the other participant.
    assert b"tom@example" not in b"".join(archive.read(n) for n in names)


def test_formula_cells_are_neutralised() -> None:
    assert [safe_cell(v) for v in ["=1+1", "+44", "-3", "@SUM", "\tx", "ok", 5]] == [
        "'=1+1", "'+44", "'-3", "'@SUM", "'\tx", "ok", 5]  # fmt: skip


def test_download_needs_a_post_and_the_participant_role(client, journey) -> None:
    login(client, journey.participant)
    assert client.get("/account/download-my-data").status_code == 405
    login(client, journey.educator)
    assert client.post("/account/download-my-data").status_code == 403


def test_account_closure_request_once_and_audited(client, journey) -> None:
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    db.session.commit()
    login(client, journey.participant)
    page = client.get("/account").get_data(as_text=True)
    assert "Request to close your account" in page and "/account/research-consent" in page
    assert "Close your account" in client.get("/account/close").get_data(as_text=True)
    response = client.post("/account/close", data={"reason": "Leaving the NHS"})
    assert response.status_code == 302
    again = client.post("/account/close", data={"reason": "Twice"})  # double click
    assert again.status_code == 302
    [closure] = db.session.scalars(sa.select(AccountClosureRequest)).all()
    assert closure.reason == "Leaving the NHS" and closure.processed_at is None
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "account.closure_requested")
    ).all()
    assert len(events) == 1 and events[0].actor_id == journey.participant.id
    [note] = db.session.scalars(
        sa.select(Notification).where(Notification.kind == "account_closure_requested")
    ).all()
    assert note.recipient_id == admin.id and "Amara Okafor" in note.title
    page = client.get("/account").get_data(as_text=True)
    assert "Request pending" in page


def test_a_second_pending_request_is_refused_by_the_database(journey) -> None:
    import pytest
    from sqlalchemy.exc import IntegrityError

    db.session.add(AccountClosureRequest(user_id=journey.participant.id))
    db.session.commit()
    db.session.add(AccountClosureRequest(user_id=journey.participant.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    first = db.session.scalars(sa.select(AccountClosureRequest)).one()
    first.processed_at = utcnow()
    db.session.add(AccountClosureRequest(user_id=journey.participant.id))
    db.session.commit()  # a new request once the first is handled
    assert count(AccountClosureRequest) == 2


def test_oversized_closure_reason_is_refused(client, journey) -> None:
    login(client, journey.participant)
    response = client.post("/account/close", data={"reason": "x" * 2001})
    assert response.status_code == 400
    assert "Reason must be 2,000 characters or fewer" in response.get_data(as_text=True)
    assert count(AccountClosureRequest) == 0


def test_record_and_coverage_query_counts_do_not_grow(client, journey, count_queries) -> None:
    _complete(journey, "old")
    login(client, journey.participant)
    client.get("/my-learning/completion-record")  # the first visit makes the record's code
    sizes = []
    for names in (["recent"], ["today"]):
        for name in names:
            _complete(journey, name)
        with count_queries() as record:
            client.get("/my-learning/completion-record")
        with count_queries() as chart:
            client.get("/my-learning/gpc-coverage")
        sizes.append((len(record), len(chart)))
    assert sizes[0] == sizes[1]


def test_record_reads_no_domains_bodies_or_reflections(
    client, journey, db_session, count_queries
) -> None:
    """The GPC domains come from the kept content choices; the module bodies and the
    person's reflections are never read for the record."""
    _complete(journey, "old", reflection="Private thoughts")
    login(client, journey.participant)
    client.get("/my-learning/completion-record")  # the record's code, the content choices
    db_session.info.pop(BUMPED, None)
    with count_queries() as statements:
        html = client.get("/my-learning/completion-record").get_data(as_text=True)
    codes = [d.code for d in journey.modules["old"].versions[0].domains]
    assert codes and ", ".join(codes) in html
    read = " ".join(statements)
    assert "framework_domain" not in read
    assert "body_markdown" not in read and "reflection" not in read


def test_demo_reflection_is_added_once(journey) -> None:
    from futuredoctor.learning.demo import DEMO_REFLECTION, create_learning_demo_data

    _complete(journey, "old")
    _complete(journey, "recent", reflection="My own words")
    create_learning_demo_data(journey.participant)
    create_learning_demo_data(journey.participant)
    db.session.expire_all()
    reflections = sorted(p.reflection for p in db.session.scalars(sa.select(Progress)))
    assert reflections == sorted([DEMO_REFLECTION, "My own words"])
