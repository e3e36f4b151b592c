"""The public-contributor picker on feedback entered on someone's behalf and on a co-design
session's page: at most 25 current contributors in scope, found by a word of the name,
keeping the one chosen, searched without saving anything. Runs on SQLite and PostgreSQL
through the ``app`` fixture."""

from __future__ import annotations

import re

import sqlalchemy as sa

from futuredoctor import clock
from futuredoctor.extensions import db
from futuredoctor.livinglab.contributor_picker import PICKER_LIMIT, contributor_picker
from futuredoctor.models import CodesignAttendee, CodesignSession, FeedbackItem, Pilot
from tests.factories import days_from_today
from tests.helpers import login
from tests.livinglab.lab import by_slug, make_contributor

LONDON = "lon-inclusion-health"
SOUTH_WEST = "sw-remote-rural-coastal"


def _options(html: str, name: str) -> list[str]:
    """The values offered by the select called ``name``."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, name
    return re.findall(r'<option value="([^"]*)"', select.group(1))


def _crowd(pilot: Pilot, count: int) -> list[int]:
    people = [make_contributor(pilot, name=f"Member {n:03d}") for n in range(count)]
    db.session.commit()
    return [p.id for p in people]


def _on_behalf(lab, **extra):
    data = {
        "pilot": LONDON,
        "version": str(lab.module.latest.id),
        "source": "patient_public",
        "contributor": "",
        "text": "Explain what happens after discharge",
    }
    data.update(extra)
    return data


def test_the_picker_lists_a_bounded_page_in_scope_and_keeps_the_chosen(app, lab) -> None:
    ids = _crowd(by_slug(Pilot, LONDON), PICKER_LIMIT + 5)
    other = make_contributor(by_slug(Pilot, SOUTH_WEST), name="Member 999")
    retired = make_contributor(by_slug(Pilot, LONDON), name="Member 998")
    retired.retired_at = clock.now()
    db.session.commit()
    picker = contributor_picker(lab.educator, "")
    assert len(picker.rows) == PICKER_LIMIT and picker.more
    assert [c.display_name for c in picker.rows][:2] == ["Member 000", "Member 001"]
    last = ids[-1]
    kept = contributor_picker(lab.educator, "", [str(last), str(other.id), str(retired.id)])
    assert kept.rows[0].id == last  # kept, though past the first page
    assert other.id not in {c.id for c in kept.rows}  # another pilot's: never offered
    assert retired.id not in {c.id for c in kept.rows}
    found = contributor_picker(lab.educator, "member 02")
    assert [c.display_name for c in found.rows] == [f"Member 02{n}" for n in range(10)]
    assert not found.more
    assert contributor_picker(lab.educator, "100%_").rows == []
    national = contributor_picker(lab.admin, "Member 99")
    assert {c.display_name for c in national.rows} == {"Member 999"}


def test_the_behalf_form_searches_contributors_without_saving(client, lab) -> None:
    ids = _crowd(by_slug(Pilot, LONDON), PICKER_LIMIT + 5)
    login(client, lab.educator)
    before = db.session.scalar(sa.select(sa.func.count(FeedbackItem.id)))
    first = client.get("/feedback/new").get_data(as_text=True)
    assert len(_options(first, "contributor")) == PICKER_LIMIT + 1  # and "Not a recorded..."
    assert "Showing the first 25 contributors" in first
    chosen = str(ids[3])
    page = client.post(
        "/feedback/new",
        data=_on_behalf(
            lab, contributor=chosen, action="find-contributor", find_contributor="Member 029"
        ),
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert _options(html, "contributor") == ["", chosen, str(ids[29])]
    assert f'<option value="{chosen}" selected>' in html
    assert "Explain what happens after discharge" in html
    assert db.session.scalar(sa.select(sa.func.count(FeedbackItem.id))) == before
    too_long = client.post(
        "/feedback/new",
        data=_on_behalf(lab, action="find-contributor", find_contributor="x" * 101),
    )
    assert too_long.status_code == 400
    assert "The search must be 100 characters or fewer" in too_long.get_data(as_text=True)
    saved = client.post("/feedback/new", data=_on_behalf(lab, contributor=str(ids[29])))
    assert saved.status_code == 302
    item = db.session.scalar(sa.select(FeedbackItem).order_by(FeedbackItem.id.desc()).limit(1))
    assert item is not None and item.contributor_id == ids[29]


def test_a_link_from_a_contributor_past_the_first_page_still_chooses_them(client, lab) -> None:
    ids = _crowd(by_slug(Pilot, LONDON), PICKER_LIMIT + 5)
    login(client, lab.educator)
    html = client.get(f"/feedback/new?contributor={ids[-1]}").get_data(as_text=True)
    assert f'<option value="{ids[-1]}" selected>' in html


def test_another_pilots_contributor_is_refused_on_the_behalf_form(client, lab) -> None:
    other = make_contributor(by_slug(Pilot, SOUTH_WEST), name="Coast Voice")
    db.session.commit()
    login(client, lab.educator)
    response = client.post("/feedback/new", data=_on_behalf(lab, contributor=str(other.id)))
    assert response.status_code == 400
    assert "Coast Voice" not in response.get_data(as_text=True)


def test_the_session_page_pickers_search_and_keep_the_chosen(client, lab) -> None:
    session = CodesignSession(
        pilot=lab.london.pilot, held_on=days_from_today(-5), title="Winter review"
    )
    db.session.add(session)
    ids = _crowd(by_slug(Pilot, LONDON), PICKER_LIMIT + 5)
    login(client, lab.educator)
    page = client.get(f"/codesign/{session.id}").get_data(as_text=True)
    assert len(_options(page, "contributor")) == PICKER_LIMIT + 1
    assert len(_options(page, "attendee-contributor")) == PICKER_LIMIT + 1
    found = client.post(
        f"/codesign/{session.id}/attendees",
        data={
            "attendee-kind": "patient_public",
            "attendee-contributor": str(ids[1]),
            "attendee-find_contributor": "Member 028",
            "action": "find-contributor",
        },
    )
    assert found.status_code == 200
    html = found.get_data(as_text=True)
    assert _options(html, "attendee-contributor") == ["", str(ids[1]), str(ids[28])]
    assert db.session.scalar(sa.select(sa.func.count(CodesignAttendee.id))) == 0
    added = client.post(
        f"/codesign/{session.id}/attendees",
        data={"attendee-kind": "patient_public", "attendee-contributor": str(ids[28])},
    )
    assert added.status_code == 302
    assert db.session.scalar(sa.select(CodesignAttendee.contributor_id)) == ids[28]
    suggestion = client.post(
        f"/codesign/{session.id}/suggestions",
        data={
            "version": str(lab.module.latest.id),
            "source": "patient_public",
            "contributor": "",
            "find_contributor": "Member 027",
            "text": "Shorter videos",
            "action": "find-contributor",
        },
    )
    assert suggestion.status_code == 200
    assert _options(suggestion.get_data(as_text=True), "contributor") == ["", str(ids[27])]
    assert "Shorter videos" in suggestion.get_data(as_text=True)


def test_the_session_is_read_with_its_pilot_and_region(client, lab, count_queries) -> None:
    session = CodesignSession(
        pilot=lab.london.pilot, held_on=days_from_today(-5), title="Spring review"
    )
    db.session.add(session)
    db.session.commit()
    login(client, lab.admin)  # whose grants bring no pilot or region along
    db.session.expire_all()  # nothing of the pilot's region left over from setting up
    with count_queries() as statements:
        page = client.get(f"/codesign/{session.id}").get_data(as_text=True)
    assert "Spring review" in page
    assert not [s for s in statements if re.search(r"FROM (pilot|region)\s*\nWHERE", s)]
