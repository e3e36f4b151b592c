"""The month calendar, the list, the cohort preview, with query counts that do not grow."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from futuredoctor import clock
from futuredoctor.models import Region, ReleaseStatus, Role, utcnow
from futuredoctor.models.content_stamp import BUMPED
from futuredoctor.timezones import to_local
from tests.dates import tomorrow
from tests.factories import make_module, make_release, make_user
from tests.helpers import login


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_month_view_shows_releases_on_their_uk_day(lead_client, db_session, version, cohorts):
    release = make_release(version, cohorts["lon-current"], days_from_now=1)
    make_release(version, cohorts["sw-current"], days_from_now=1)  # another region
    db_session.commit()
    month = to_local(release.release_at).strftime("%Y-%m")
    page = _text(lead_client.get(f"/releases?month={month}"))
    assert version.title in page
    assert f"/releases/{release.id}" in page
    assert "1 release" in page  # the South West one is not counted


def test_month_view_rejects_a_malformed_month(lead_client):
    assert lead_client.get("/releases?month=2026-13").status_code == 404
    assert lead_client.get("/releases?month=soon").status_code == 404
    assert lead_client.get("/releases?month=2027-03").status_code == 200


def test_list_view_separates_upcoming_from_past_and_withdrawn(
    lead_client, db_session, version, cohorts
):
    other = make_module(title="Withdrawn module").latest
    make_release(version, cohorts["lon-current"], days_from_now=2)
    gone = make_release(other, cohorts["lon-current"], days_from_now=3)
    gone.status = ReleaseStatus.WITHDRAWN
    gone.withdrawn_at = utcnow()
    db_session.commit()
    upcoming = _text(lead_client.get("/releases/list"))
    assert version.title in upcoming and "Withdrawn module" not in upcoming
    past = _text(lead_client.get("/releases/list?when=past"))
    assert "Withdrawn module" in past and "Withdrawn</strong>" in past


def test_calendar_and_list_query_counts_do_not_grow(
    lead_client, db_session, cohorts, count_queries
):
    def add(n: int) -> None:
        for i in range(n):
            make_release(make_module().latest, cohorts["lon-current"], days_from_now=1 + i / 50)
        db_session.commit()

    month = to_local(utcnow() + timedelta(days=1)).strftime("%Y-%m")
    add(2)
    counts = []
    for extra in (0, 10):
        add(extra)
        with count_queries() as calendar_queries:
            assert lead_client.get(f"/releases?month={month}").status_code == 200
        with count_queries() as list_queries:
            assert lead_client.get("/releases/list").status_code == 200
        counts.append((len(calendar_queries), len(list_queries)))
    assert counts[0] == counts[1]


def test_preview_shows_what_the_cohort_sees_that_day(
    lead_client, db_session, version, cohorts, count_queries
):
    cohort = cohorts["lon-current"]
    soon = make_release(version, cohort, days_from_now=1)
    later_module = make_module(title="Much later module").latest
    make_release(later_module, cohort, days_from_now=30)
    db_session.commit()
    day = to_local(soon.release_at).date()
    lead_client.get(f"/cohorts/lon-current/preview?date={day.isoformat()}")  # content choices
    db_session.info.pop(BUMPED, None)
    with count_queries() as statements:
        page = _text(lead_client.get(f"/cohorts/lon-current/preview?date={day.isoformat()}"))
    assert version.title in page and "New that day" in page
    domains = [d.code for d in version.domains]
    assert domains and all(f">{code}</strong>" in page for code in domains)
    # the cards' domains come from the kept content choices; no version's body is read
    assert not [s for s in statements if "framework_domain" in s or "body_markdown" in s]
    assert "Coming later" in page and "Much later module" in page
    before = _text(
        lead_client.get(
            f"/cohorts/lon-current/preview?date={(day - timedelta(days=1)).isoformat()}"
        )
    )
    assert "No modules have been released to this cohort by then" in before


def test_preview_newer_version_supersedes_and_withdrawn_is_hidden(lead_client, db_session, cohorts):
    from futuredoctor.models import ModuleVersion

    module = make_module(title="Versioned module")
    v1 = module.latest
    v2 = ModuleVersion(
        module=module,
        number=2,
        title="Versioned module",
        summary="v2",
        estimated_minutes=10,
        delivery_mode="online",
        learning_outcomes=[],
        body_markdown="x",
        content_hash="f" * 64,
    )
    db_session.add(v2)
    db_session.flush()
    hidden = make_module(title="Hidden module").latest
    cohort = cohorts["lon-current"]
    make_release(v1, cohort, days_from_now=-5)
    make_release(v2, cohort, days_from_now=-1)
    gone = make_release(hidden, cohort, days_from_now=-2)
    gone.status = ReleaseStatus.WITHDRAWN
    db_session.commit()
    page = _text(lead_client.get("/cohorts/lon-current/preview"))
    assert "version 2" in page and "version 1 ·" not in page
    assert "Hidden module" not in page


def test_preview_of_another_regions_cohort_is_not_found(lead_client, cohorts):
    assert lead_client.get("/cohorts/sw-current/preview").status_code == 404


def test_preview_chooser_redirects_and_reports_bad_input(lead_client, cohorts):
    day = tomorrow()
    response = lead_client.get(
        f"/releases/preview?cohort=lon-current&day={day.day}&month={day.month}&year={day.year}"
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cohorts/lon-current/preview?date={day}")
    bad = lead_client.get(f"/releases/preview?cohort=sw-current&day=31&month=2&year={day.year}")
    assert bad.status_code == 400
    assert "Choose a cohort from the list" in _text(bad) and "real date" in _text(bad)
    assert lead_client.get("/cohorts/lon-current/preview?date=2027-02-31").status_code == 400


def test_month_view_marks_today_visibly(lead_client):
    today = clock.today_uk()
    page = lead_client.get(f"/releases?month={today:%Y-%m}").get_data(as_text=True)
    assert page.count('<strong class="app-calendar__today">Today</strong>') == 1
    assert page.count("app-calendar__day--today") == 1


def test_ical_feed_lists_releases_in_scope(lead_client, db_session, version, cohorts):
    from icalendar import Calendar

    london, southwest = cohorts["lon-current"], cohorts["sw-current"]
    inside = make_release(version, london, days_from_now=3)
    make_release(version, southwest, days_from_now=3)
    db_session.commit()
    response = lead_client.get("/releases/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "/releases/calendar.ics" in lead_client.get("/releases").get_data(as_text=True)
    events = Calendar.from_ical(response.data).walk("VEVENT")
    assert [str(e["uid"]).split("@")[0] for e in events] == [f"release-{inside.id}"]
    assert events[0].decoded("dtstart") == inside.release_at.replace(microsecond=0)
    assert london.name in str(events[0]["summary"])


def test_ical_feed_covers_one_region_for_people_who_span_several(
    client, db_session, version, cohorts
):
    """A national admin's feed is one region's releases (the first by name unless asked):
    the country's every release in one file grew with the data."""
    from icalendar import Calendar

    london, southwest = cohorts["lon-current"], cohorts["sw-current"]
    in_london = make_release(version, london, days_from_now=3)
    in_southwest = make_release(version, southwest, days_from_now=3)
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    db_session.commit()
    login(client, admin)

    def uids(query: str) -> list[str]:
        response = client.get(f"/releases/calendar.ics{query}")
        assert response.status_code == 200 and response.mimetype == "text/calendar"
        events = Calendar.from_ical(response.data).walk("VEVENT")
        return [str(e["uid"]).split("@")[0] for e in events]

    assert uids("?region=SW") == [f"release-{in_southwest.id}"]
    assert uids("?region=LON") == [f"release-{in_london.id}"]
    first = db_session.scalar(sa.select(Region.code).order_by(Region.name).limit(1))
    assert uids("") == uids(f"?region={first}")  # the first region by name
    assert client.get("/releases/calendar.ics?region=XX").status_code == 404
    assert client.get("/releases/calendar.ics?region=%00").status_code == 404
    month = _text(client.get("/releases"))
    assert "/releases/calendar.ics?region=LON" in month
    assert "/releases/calendar.ics?region=SW" in month


def test_ical_feed_refuses_a_region_outside_the_persons_scope(
    lead_client, db_session, version, cohorts
):
    make_release(version, cohorts["lon-current"], days_from_now=3)
    db_session.commit()
    assert lead_client.get("/releases/calendar.ics?region=SW").status_code == 404
    assert lead_client.get("/releases/calendar.ics?region=LON").status_code == 200
    month = _text(lead_client.get("/releases"))
    assert "region=" not in month  # one region: one link, as before
