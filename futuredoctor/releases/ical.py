"""The releases in a person's scope as an iCalendar (RFC 5545) file, so regional leads and
lead educators can see them beside their other commitments. Each release is a short event
at its UTC release time, with a stable UID so re-importing updates rather than duplicates."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import url_for
from icalendar import Calendar, Event
from sqlalchemy.orm import joinedload

from futuredoctor.extensions import db
from futuredoctor.models import Cohort, ModuleVersion, Release, ReleaseStatus, User, utcnow
from futuredoctor.permissions import Permission, scope_pilots

LOOK_BACK = timedelta(days=90)  # recent releases stay in the feed for a while
EVENT_LENGTH = timedelta(minutes=30)


def releases_ics(user: User, domain: str) -> bytes:
    """Scheduled releases in the user's scope from ``LOOK_BACK`` ago onwards; one query."""
    stmt = (
        sa.select(Release)
        .join(Cohort, Cohort.id == Release.cohort_id)
        .where(
            Release.status == ReleaseStatus.SCHEDULED,
            Release.release_at >= utcnow() - LOOK_BACK,
        )
        .options(
            joinedload(Release.module_version).joinedload(ModuleVersion.module),
            joinedload(Release.cohort).joinedload(Cohort.pilot),
        )
        .order_by(Release.release_at, Release.id)
    )
    stmt = scope_pilots(stmt, user, Permission.SCHEDULE_RELEASES, Cohort.pilot_id)
    feed = Calendar()
    feed.add("prodid", "-//NHS England//Future Doctor pilots//EN")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", "Future Doctor module releases")
    stamp = utcnow()
    for release in db.session.scalars(stmt).unique():
        version, cohort = release.module_version, release.cohort
        event = Event()
        event.add("uid", f"release-{release.id}@{domain}")
        event.add("dtstamp", stamp)
        event.add("dtstart", release.release_at)
        event.add("dtend", release.release_at + EVENT_LENGTH)
        event.add("summary", f"{version.title} (version {version.number}) – {cohort.name}")
        event.add(
            "description",
            f"Released to the {cohort.name} of {cohort.pilot.name}. "
            f"{url_for('releases.detail', release_id=release.id, _external=True)}",
        )
        feed.add_component(event)
    return feed.to_ical()
