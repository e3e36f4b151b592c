"""The releases in a person's scope as an iCalendar (RFC 5545) file, so regional leads and
lead educators can see them beside their other commitments. Each release is a short event
at its UTC release time, with a stable UID so re-importing updates rather than duplicates.

A feed covers one region at most. Someone whose releases span several regions (a national
admin) subscribes to each region's feed on its own (``?region=<code>``, the first region by
name when none is given): the feed of every release in the country was 2,100 events
(668 KB) at national size, which no calendar app needs in one file."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import url_for
from icalendar import Calendar, Event

from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    ModuleVersion,
    Pilot,
    Region,
    Release,
    ReleaseStatus,
    User,
    utcnow,
)
from futuredoctor.permissions import Permission, scope_pilots

LOOK_BACK = timedelta(days=90)  # recent releases stay in the feed for a while
EVENT_LENGTH = timedelta(minutes=30)


def feed_regions(user: User) -> list[Region]:
    """The regions whose releases the user may follow, by name (a short, fixed list)."""
    stmt = (
        sa.select(Region)
        .where(
            Region.id.in_(
                scope_pilots(
                    sa.select(Pilot.region_id), user, Permission.SCHEDULE_RELEASES, Pilot.id
                )
            )
        )
        .order_by(Region.name)
    )
    return list(db.session.scalars(stmt))


def feed_region(user: User, code: str | None) -> Region | None:
    """The region a feed covers: the one asked for, or the first of the user's regions.
    None when the code is not one of them (the view answers 404)."""
    regions = feed_regions(user)
    if not code:
        return regions[0] if regions else None
    return next((r for r in regions if r.code == code), None)


def releases_ics(user: User, domain: str, region: Region | None = None) -> bytes:
    """Scheduled releases in the user's scope (within ``region`` when given) from
    ``LOOK_BACK`` ago onwards; one query."""
    # Plain columns: whole releases with their versions (bodies and all), cohorts and
    # pilots cost more to load than the feed costs to write.
    stmt = (
        sa.select(
            Release.id,
            Release.release_at,
            ModuleVersion.title,
            ModuleVersion.number,
            Cohort.name,
            Pilot.name,
        )
        .join(Cohort, Cohort.id == Release.cohort_id)
        .join(Pilot, Pilot.id == Cohort.pilot_id)
        .join(ModuleVersion, ModuleVersion.id == Release.module_version_id)
        .where(
            Release.status == ReleaseStatus.SCHEDULED,
            Release.release_at >= utcnow() - LOOK_BACK,
        )
        .order_by(Release.release_at, Release.id)
    )
    if region is not None:
        stmt = stmt.where(Pilot.region_id == region.id)
    stmt = scope_pilots(stmt, user, Permission.SCHEDULE_RELEASES, Cohort.pilot_id)
    feed = Calendar()
    feed.add("prodid", "-//NHS England//Future Doctor pilots//EN")
    feed.add("version", "2.0")
    name = "Future Doctor module releases"
    feed.add("x-wr-calname", f"{name}: {region.name}" if region is not None else name)
    stamp = utcnow()
    for release_id, release_at, title, number, cohort, pilot in db.session.execute(stmt):
        event = Event()
        event.add("uid", f"release-{release_id}@{domain}")
        event.add("dtstamp", stamp)
        event.add("dtstart", release_at)
        event.add("dtend", release_at + EVENT_LENGTH)
        event.add("summary", f"{title} (version {number}) – {cohort}")
        event.add(
            "description",
            f"Released to the {cohort} of {pilot}. "
            f"{url_for('releases.detail', release_id=release_id, _external=True)}",
        )
        feed.add_component(event)
    return feed.to_ical()
