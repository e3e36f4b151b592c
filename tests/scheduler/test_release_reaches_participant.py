"""From scheduling to the participant: once the release time passes the module shows up
(with or without a scheduler), and exactly one notification exists however often the job
runs."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.models import Notification, Release, Role, utcnow
from futuredoctor.scheduler import run_job
from futuredoctor.timezones import to_local
from tests.factories import make_user
from tests.helpers import login


def test_module_appears_when_the_time_passes_and_one_notification_is_sent(
    app, client, db_session, scene
):
    lead = make_user(roles=[(Role.REGIONAL_LEAD, scene.cohort.pilot.region)])
    db_session.commit()
    login(client, lead)
    day = to_local(utcnow()).date() + timedelta(days=1)
    response = client.post(
        "/releases/new",
        data={
            "version": str(scene.version.id),
            "cohorts": ["lon-current", "lon-next"],
            "release_day": str(day.day),
            "release_month": str(day.month),
            "release_year": str(day.year),
            "release_time": "09:00",
        },
    )
    assert response.status_code == 302
    client.get("/sign-out")

    participant = scene.participants[0]
    login(client, participant)
    home = client.get("/").get_data(as_text=True)
    released, coming = home.split('id="next-releases"')  # listed as coming, not released
    assert scene.version.title not in released and scene.version.title in coming
    assert run_job(app, "queue_due_releases") == 0  # not due yet

    # The clock passes the release time.
    db.session.execute(sa.update(Release).values(release_at=utcnow() - timedelta(minutes=1)))
    db_session.commit()
    home = client.get("/").get_data(as_text=True)
    assert scene.version.title in home  # visible with no scheduler involved

    assert run_job(app, "queue_due_releases") == 3
    assert run_job(app, "queue_due_releases") == 0
    db_session.expire_all()
    mine = db_session.scalars(
        sa.select(Notification).where(Notification.recipient_id == participant.id)
    ).all()
    assert len(mine) == 1
    inbox = client.get("/notifications").get_data(as_text=True)
    assert f"New module: {scene.version.title}" in inbox
