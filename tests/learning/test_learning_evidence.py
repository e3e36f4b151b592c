"""Evidence of completion: workshops through a signed attendance register, self-paced
modules self-declared, the record saying which and who confirmed it, and the public
verification page showing only what the record shows."""

from __future__ import annotations

import re

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.models import AuditEvent, Progress, Role
from tests.factories import make_region_tree, make_user
from tests.helpers import login
from tests.learning.conftest import enrolment_of


def _workshop(journey, name: str = "old"):
    version = journey.modules[name].versions[0]
    version.delivery_mode = "workshop"
    db.session.commit()
    return journey.releases[name]


def test_a_workshop_is_completed_only_through_the_signed_register(client, journey) -> None:
    release = _workshop(journey)
    login(client, journey.participant)
    client.post("/modules/mod-old/start")
    page = client.get("/modules/mod-old").get_data(as_text=True)
    assert "Mark as completed" not in page and "attendance register" in page
    refused = client.post("/modules/mod-old/complete", follow_redirects=True)
    assert "signs the attendance register" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(Progress.completed_at)) is None

    login(client, journey.educator)
    module_page = client.get("/modules/mod-old").get_data(as_text=True)
    assert f"/releases/{release.id}/attendance" in module_page
    register = client.get(f"/releases/{release.id}/attendance").get_data(as_text=True)
    assert "Amara Okafor" in register and "Who attended?" in register
    nobody = client.post(f"/releases/{release.id}/attendance", data={})
    assert nobody.status_code == 400 and "Select everyone who attended" in nobody.get_data(
        as_text=True
    )
    ids = [enrolment_of(journey.participant).id, enrolment_of(journey.other).id]
    signed = client.post(f"/releases/{release.id}/attendance", data={"attended": ids})
    assert signed.status_code == 302
    rows = db.session.scalars(sa.select(Progress).where(Progress.release_id == release.id)).all()
    assert {(p.completed_how, p.confirmed_by_id) for p in rows} == {
        ("attendance", journey.educator.id)
    }
    assert len(rows) == 2 and rows[0].completed_at is not None
    assert db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "attendance.signed_off")
    )
    # A session not released yet cannot be signed.
    future = _workshop(journey, "future")
    early = client.post(f"/releases/{future.id}/attendance", data={"attended": ids[:1]})
    assert early.status_code == 400


def test_register_of_another_pilot_is_not_found(client, journey) -> None:
    release = _workshop(journey)
    stranger = make_user(roles=[(Role.LEAD_EDUCATOR, make_region_tree().pilots[0])])
    db.session.commit()
    login(client, stranger)
    assert client.get(f"/releases/{release.id}/attendance").status_code == 404


def test_record_says_how_each_line_was_completed_and_the_code_verifies_it(client, journey) -> None:
    release = _workshop(journey)
    login(client, journey.participant)
    client.post("/modules/mod-recent/start")
    client.post("/modules/mod-recent/complete")
    login(client, journey.educator)
    client.post(
        f"/releases/{release.id}/attendance",
        data={"attended": [enrolment_of(journey.participant).id]},
    )
    login(client, journey.participant)
    record = client.get("/my-learning/completion-record").get_data(as_text=True)
    assert "Self-declared" in record
    assert f"Attendance confirmed by {journey.educator.full_name}" in record
    code = re.search(r'id="verification-code">([A-Z0-9-]+)<', record).group(1)
    again = client.get("/my-learning/completion-record").get_data(as_text=True)
    assert code in again  # the same code every time

    client.post("/sign-out")
    page = client.get(f"/verify?code={code.lower()}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Amara Okafor" in html and "GMC 7123456" in html
    assert "Module old" in html and "Module recent" in html
    assert "Attendance confirmed by" in html and "Self-declared" in html
    assert "amara@example.nhs.uk" not in html and "Cohort" not in html.split("<main")[1]
    missing = client.get("/verify?code=ABCD-EFGH-JKLM")
    assert missing.status_code == 404 and "No completion record has this code" in (
        missing.get_data(as_text=True)
    )
    assert client.get("/verify?code=%00%00").status_code == 404
    assert client.get("/verify").status_code == 200
