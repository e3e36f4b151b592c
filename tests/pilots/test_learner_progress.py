"""Progress per learner across a pilot's cohorts, for its lead educator."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from futuredoctor.models import EnrolmentStatus, Pilot, Progress, Role, utcnow
from tests.factories import (
    make_cohort,
    make_enrolment,
    make_module,
    make_release,
    make_user,
)
from tests.helpers import login


def test_lead_educator_sees_each_learners_progress_in_their_pilot(client, db_session):
    pilot = db_session.scalar(sa.select(Pilot).where(Pilot.slug == "lon-inclusion-health"))
    educator = make_user(email="lead.lp@example.nhs.uk", roles=[(Role.LEAD_EDUCATOR, pilot)])
    cohort = make_cohort(pilot, slug="lon-progress", name="Aardvark cohort")
    module_a, module_b = make_module(), make_module()
    release_a = make_release(module_a.versions[0], cohort)
    make_release(module_b.versions[0], cohort)
    make_release(make_module().versions[0], cohort, days_from_now=10)  # not out yet
    busy = make_enrolment(make_user(email="busy@example.nhs.uk", family_name="Aaron"), cohort)
    make_enrolment(make_user(email="idle@example.nhs.uk", family_name="Abbot"), cohort)
    make_enrolment(
        make_user(email="gone@example.nhs.uk", family_name="Abel"),
        cohort,
        status=EnrolmentStatus.WITHDRAWN,
    )
    finished = utcnow() - timedelta(days=3)
    db_session.add(
        Progress(
            enrolment=busy,
            release=release_a,
            started_at=finished - timedelta(hours=1),
            completed_at=finished,
        )
    )
    db_session.commit()
    login(client, educator)

    response = client.get("/pilots/lon-inclusion-health/learners")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Progress per learner" in page
    rows = page.split("<tbody", 1)[1]
    busy_row = rows.split("Aaron", 1)[1].split("</tr>", 1)[0]
    assert "1 of 2" in busy_row and "None yet" not in busy_row
    idle_row = rows.split("Abbot", 1)[1].split("</tr>", 1)[0]
    assert "0 of 2" in idle_row and "None yet" in idle_row
    assert "gone@example" not in page and "Abel" not in page  # withdrawn
    assert "/pilots/lon-inclusion-health/learners" in client.get("/").get_data(as_text=True)

    # Another pilot's learners are not found; neither is a page past the last.
    assert client.get("/pilots/sw-remote-rural-coastal/learners").status_code == 404
    assert client.get("/pilots/lon-inclusion-health/learners?page=99").status_code == 404
