"""Scheduling, moving and withdrawing releases, and every refusal the issue lists: each
gets a clear message and changes nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from futuredoctor.models import AuditEvent, Release, ReleaseStatus, Role, utcnow
from futuredoctor.timezones import to_local
from tests.dates import next_clock_change, next_summer_day, tomorrow
from tests.factories import make_release, make_user
from tests.helpers import login
from tests.releases.conftest import when


def _releases(db_session) -> list[Release]:
    return list(db_session.scalars(sa.select(Release).order_by(Release.id)))


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_regional_lead_schedules_one_version_for_two_cohorts(
    lead_client, db_session, schedule_form, version
):
    response = lead_client.post("/releases/new", data=schedule_form("lon-current", "lon-next"))
    assert response.status_code == 302
    releases = _releases(db_session)
    assert {r.cohort.slug for r in releases} == {"lon-current", "lon-next"}
    local = to_local(releases[0].release_at)
    assert (local.date(), local.hour, local.minute) == (tomorrow(), 9, 0)
    assert releases[0].release_at.utcoffset() == timedelta(0)  # stored as a UTC instant
    assert all(r.status is ReleaseStatus.SCHEDULED for r in releases)
    events = db_session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "release.scheduled")
    ).all()
    assert len(events) == 2
    page = lead_client.get(response.headers["Location"])
    assert "will be released to the Current cohort and Next cohort" in _text(page)
    assert version.title in _text(page)


def test_summer_time_is_stored_as_the_right_utc_instant(lead_client, db_session, schedule_form):
    day = next_summer_day()
    response = lead_client.post("/releases/new", data=schedule_form("lon-next", day=day, at="9:00"))
    assert response.status_code == 302
    (release,) = _releases(db_session)
    assert release.release_at.isoformat() == f"{day.isoformat()}T08:00:00+00:00"


def _refused(client, db_session, data, message: str) -> str:
    before = len(_releases(db_session))
    response = client.post("/releases/new", data=data)
    assert response.status_code == 400
    text = _text(response)
    assert "There is a problem" in text
    assert message in text
    assert len(_releases(db_session)) == before
    return text


def test_time_in_the_past_is_refused(lead_client, db_session, schedule_form):
    yesterday = tomorrow() - timedelta(days=2)
    _refused(lead_client, db_session, schedule_form("lon-current", day=yesterday), "is in the past")


def test_time_the_clocks_skip_is_refused_with_nearest_times(lead_client, db_session, schedule_form):
    text = _refused(
        lead_client,
        db_session,
        schedule_form("lon-next", day=next_clock_change(forward=True), at="01:30"),
        "does not exist in UK time",
    )
    assert "Choose 00:59 GMT or earlier, or 02:00 BST or later" in text


def test_time_that_happens_twice_is_refused(lead_client, db_session, schedule_form):
    text = _refused(
        lead_client,
        db_session,
        schedule_form("lon-next", day=next_clock_change(forward=False), at="01:30"),
        "happens twice in UK time",
    )
    assert "00:59 BST or earlier, or 02:00 GMT or later" in text


def test_cohort_of_another_region_is_refused(lead_client, db_session, schedule_form):
    _refused(
        lead_client,
        db_session,
        schedule_form("lon-current", "sw-current"),
        "Choose cohorts from the list",
    )


def test_module_version_that_does_not_exist_is_refused(lead_client, db_session, schedule_form):
    _refused(
        lead_client,
        db_session,
        schedule_form("lon-current", version="999999"),
        "That module version does not exist",
    )
    _refused(lead_client, db_session, schedule_form("lon-current", version="abc"), "does not exist")


def test_missing_and_malformed_fields_are_each_named(lead_client, db_session):
    text = _refused(
        lead_client,
        db_session,
        {
            "version": "",
            "release_day": "31",
            "release_month": "2",
            "release_year": str(tomorrow().year),
            "release_time": "25:00",
        },
        "Choose the module version to release",
    )
    assert "Choose at least one cohort" in text
    assert "must be a real date" in text
    assert "24-hour clock" in text


def test_same_version_twice_to_the_same_cohort_is_refused(lead_client, db_session, schedule_form):
    assert lead_client.post("/releases/new", data=schedule_form("lon-current")).status_code == 302
    first = _releases(db_session)[0].release_at
    text = _refused(
        lead_client,
        db_session,
        schedule_form("lon-next", "lon-current", at="10:00"),
        "is already scheduled for the Current cohort",
    )
    assert "change that release instead" in text
    db_session.expire_all()
    assert [r.release_at for r in _releases(db_session)] == [first]


def test_double_submit_of_the_same_form_schedules_once(lead_client, db_session, schedule_form):
    data = schedule_form("lon-current", form_key="key-123")
    assert lead_client.post("/releases/new", data=data).status_code == 302
    again = lead_client.post("/releases/new", data=data)
    assert again.status_code == 302
    assert "already scheduled" in _text(lead_client.get(again.headers["Location"]))
    assert len(_releases(db_session)) == 1


def test_withdrawn_version_can_be_scheduled_again(lead_client, db_session, version, cohorts):
    release = make_release(version, cohorts["lon-current"], days_from_now=3)
    release.status = ReleaseStatus.WITHDRAWN
    release.withdrawn_at = utcnow()
    db_session.commit()
    data = {"version": str(version.id), "cohorts": ["lon-current"], **when(tomorrow())}
    assert lead_client.post("/releases/new", data=data).status_code == 302
    db_session.expire_all()
    (again,) = _releases(db_session)
    assert again.id == release.id and again.status is ReleaseStatus.SCHEDULED


def test_lead_educator_schedules_only_for_their_own_pilot(
    client, db_session, cohorts, schedule_form
):
    pilot = cohorts["lon-current"].pilot
    educator = make_user(roles=[(Role.LEAD_EDUCATOR, pilot)])
    db_session.commit()
    login(client, educator)
    page = _text(client.get("/releases/new"))
    assert "lon-current" in page and "sw-current" not in page
    assert client.post("/releases/new", data=schedule_form("lon-current")).status_code == 302
    _refused(client, db_session, schedule_form("sw-current"), "Choose cohorts from the list")


def test_participant_cannot_schedule(client, db_session, schedule_form):
    participant = make_user(roles=[(Role.PARTICIPANT, None)])
    db_session.commit()
    login(client, participant)
    assert client.get("/releases/new").status_code == 403
    assert client.post("/releases/new", data=schedule_form("lon-current")).status_code == 403
    assert _releases(db_session) == []


def test_change_moves_a_future_release(lead_client, db_session, version, cohorts):
    release = make_release(version, cohorts["lon-current"], days_from_now=3)
    db_session.commit()
    assert lead_client.get(f"/releases/{release.id}/change").status_code == 200
    day = tomorrow() + timedelta(days=5)
    response = lead_client.post(f"/releases/{release.id}/change", data=when(day, "14:30"))
    assert response.status_code == 302
    db_session.expire_all()
    local = to_local(db_session.get(Release, release.id).release_at)
    assert (local.date(), local.hour, local.minute) == (day, 14, 30)
    # Submitting the same time again is harmless.
    assert (
        lead_client.post(f"/releases/{release.id}/change", data=when(day, "14:30")).status_code
        == 302
    )


def test_change_refuses_clock_change_hours(lead_client, db_session, version, cohorts):
    release = make_release(version, cohorts["lon-next"], days_from_now=3)
    db_session.commit()
    original = release.release_at
    response = lead_client.post(
        f"/releases/{release.id}/change", data=when(next_clock_change(forward=True), "01:30")
    )
    assert response.status_code == 400
    assert "does not exist in UK time" in _text(response)
    db_session.expire_all()
    assert db_session.get(Release, release.id).release_at == original


def test_release_that_already_happened_cannot_be_changed_or_withdrawn(
    lead_client, db_session, version, cohorts
):
    release = make_release(version, cohorts["lon-current"], days_from_now=-1)
    db_session.commit()
    original = release.release_at
    page = lead_client.get(f"/releases/{release.id}/change")
    assert "can no longer be changed" in _text(page)
    response = lead_client.post(f"/releases/{release.id}/change", data=when(tomorrow()))
    assert response.status_code == 400
    assert "This release happened at" in _text(response)
    response = lead_client.post(f"/releases/{release.id}/withdraw", data={})
    assert response.status_code == 400
    db_session.expire_all()
    again = db_session.get(Release, release.id)
    assert again.release_at == original and again.status is ReleaseStatus.SCHEDULED


def test_withdraw_then_editing_the_withdrawn_release_is_refused(
    lead_client, db_session, version, cohorts
):
    release = make_release(version, cohorts["lon-current"], days_from_now=2)
    db_session.commit()
    assert lead_client.get(f"/releases/{release.id}/withdraw").status_code == 200
    assert lead_client.post(f"/releases/{release.id}/withdraw", data={}).status_code == 302
    # A second click is harmless.
    assert lead_client.post(f"/releases/{release.id}/withdraw", data={}).status_code == 302
    db_session.expire_all()
    assert db_session.get(Release, release.id).status is ReleaseStatus.WITHDRAWN
    original = db_session.get(Release, release.id).release_at
    response = lead_client.post(f"/releases/{release.id}/change", data=when(tomorrow(), "11:00"))
    assert response.status_code == 400
    assert "was withdrawn" in _text(response)
    db_session.expire_all()
    assert db_session.get(Release, release.id).release_at == original


def test_release_of_another_region_is_not_found(lead_client, db_session, version, cohorts):
    release = make_release(version, cohorts["sw-current"], days_from_now=2)
    db_session.commit()
    for path in ("", "/change", "/withdraw"):
        assert lead_client.get(f"/releases/{release.id}{path}").status_code == 404
    assert lead_client.post(f"/releases/{release.id}/withdraw", data={}).status_code == 404
    assert lead_client.get("/releases/999999").status_code == 404
    db_session.expire_all()
    assert db_session.get(Release, release.id).status is ReleaseStatus.SCHEDULED


def test_a_national_admin_is_shown_one_regions_cohorts_at_a_time(client, db_session, cohorts):
    """Every current cohort in the country would be a box each: the form shows the region
    of the first (or of a ticked) cohort, named with its pilot, and offers the others."""
    admin = make_user(email="national@example.nhs.uk", roles=[(Role.NATIONAL_ADMIN, None)])
    db_session.commit()
    login(client, admin)

    def boxes(url: str) -> tuple[set[str], str]:
        html = client.get(url).get_data(as_text=True)
        slugs = set(re.findall(r'value="((?:lon|sw)-(?:current|next))"', html))
        chosen = re.search(r'<option value="([A-Z]+)" selected', html)
        assert '<option value="LON"' in html and '<option value="SW"' in html
        return slugs, chosen.group(1) if chosen else ""

    first_region = boxes("/releases/new")[1]  # the first region by name with current cohorts
    assert first_region and first_region not in {"LON", "SW"}
    assert boxes("/releases/new?cohort=lon-current") == ({"lon-current", "lon-next"}, "LON")
    assert boxes("/releases/new?cohort=sw-current") == ({"sw-current"}, "SW")
    html = client.get("/releases/new?cohort=lon-next").get_data(as_text=True)
    pilot = cohorts["lon-current"].pilot.name
    assert f"Current cohort – {pilot}" in html
