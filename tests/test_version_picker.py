"""The bounded module-version picker: at most 25 versions, found by a word of the title,
keeping the versions already chosen, scoped; and the forms that use it (scheduling a
release, recording co-design suggestions) search it without saving or losing anything."""

from __future__ import annotations

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.livinglab.scope import TRIAGE
from futuredoctor.models import CodesignSession, FeedbackItem, Module, Release, Role
from futuredoctor.permissions import pilot_id_list
from futuredoctor.version_picker import PICKER_LIMIT, version_picker
from tests.dates import tomorrow
from tests.factories import current_cohorts, days_from_today, make_module, make_user
from tests.helpers import login
from tests.livinglab.lab import lab  # noqa: F401  (a fixture)
from tests.releases.conftest import when


def _many_modules(count: int = PICKER_LIMIT + 5) -> list[Module]:
    made = [make_module(title=f"Aardvark handling {n:02d}") for n in range(count)]
    db.session.commit()
    return made


def test_the_picker_lists_at_most_the_limit_and_says_there_are_more(app) -> None:
    made = _many_modules()
    picker = version_picker("")
    assert len(picker.rows) == PICKER_LIMIT and picker.more
    # Title order: the first of the made modules come first, the last are left out.
    assert picker.rows[0].title == "Aardvark handling 00"
    last = made[-1].latest
    assert last.id not in {r.id for r in picker.rows}


def test_the_picker_searches_titles_and_keeps_the_chosen_version(app) -> None:
    made = _many_modules()
    found = version_picker("handling 29")
    assert [r.title for r in found.rows] == ["Aardvark handling 29"] and not found.more
    kept = version_picker("", keep=[str(made[-1].latest.id), "", "nonsense", "9" * 12])
    assert kept.rows[0].id == made[-1].latest.id  # the chosen one first, then the 25
    assert len(kept.rows) == PICKER_LIMIT + 1
    assert version_picker("no such title").rows == []
    # LIKE wildcards in a search are matched literally.
    assert version_picker("%").rows == [] and version_picker("_").rows == []


def test_the_picker_keeps_only_versions_in_scope(app, lab) -> None:  # noqa: F811
    own = version_picker(
        "", keep=[str(lab.sw_module.latest.id)], pilots=pilot_id_list(lab.educator, TRIAGE)
    )
    ids = {r.id for r in own.rows}
    assert lab.module.latest.id in ids
    assert lab.sw_module.latest.id not in ids  # another pilot's module is never offered


def _options(html: str) -> int:
    start = html.index('id="version"')
    return html[start : html.index("</select>", start)].count("<option")


def test_scheduling_form_lists_a_bounded_set_and_searches_without_saving(client, app) -> None:
    _many_modules()
    cohorts = current_cohorts()
    lead = make_user(roles=[(Role.REGIONAL_LEAD, cohorts["lon-current"].pilot.region)])
    db.session.commit()
    login(client, lead)
    page = client.get("/releases/new").get_data(as_text=True)
    assert _options(page) == PICKER_LIMIT + 1  # and "Choose a module version"
    assert "Showing the first 25 versions" in page
    data = {"action": "find", "find": "handling 28", "cohorts": ["lon-current"]}
    data.update(when(tomorrow(), "10:15"))
    found = client.post("/releases/new", data=data)
    assert found.status_code == 200
    text = found.get_data(as_text=True)
    assert "Aardvark handling 28 – version 1" in text and _options(text) == 2
    assert 'value="10:15"' in text  # what was typed is kept
    assert db.session.scalar(sa.select(sa.func.count(Release.id))) == 0
    too_long = client.post("/releases/new", data={"action": "find", "find": "x" * 101})
    assert too_long.status_code == 400
    assert "The search must be 100 characters or fewer" in too_long.get_data(as_text=True)


def test_a_national_admin_sees_one_regions_cohorts_at_a_time(client, app) -> None:
    cohorts = current_cohorts()
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    db.session.commit()
    login(client, admin)
    london, southwest = cohorts["lon-current"], cohorts["sw-current"]
    shown = client.get(f"/releases/new?cohort={london.slug}").get_data(as_text=True)
    assert f'value="{london.slug}"' in shown and f'value="{southwest.slug}"' not in shown
    other = client.post(
        "/releases/new",
        data={"action": "find", "region": southwest.pilot.region.code, "cohorts": [london.slug]},
    ).get_data(as_text=True)
    assert f'value="{southwest.slug}"' in other
    assert f'value="{london.slug}"' in other  # a ticked cohort stays, ticked
    forged = client.post("/releases/new", data={"action": "find", "region": "\x00" * 3})
    assert forged.status_code == 200


def test_codesign_forms_search_versions_and_keep_what_was_typed(client, lab) -> None:  # noqa: F811
    login(client, lab.educator)
    page = client.get("/codesign/new").get_data(as_text=True)
    assert "Find a module version" in page
    data = {
        "action": "find",
        "find": lab.module.latest.title.split()[0],
        "title": "Spring review",
        "suggestions-0-text": "More on home visits",
    }
    found = client.post("/codesign/new", data=data)
    assert found.status_code == 200
    text = found.get_data(as_text=True)
    assert "Spring review" in text and "More on home visits" in text
    assert db.session.scalar(sa.select(sa.func.count(CodesignSession.id))) == 0
    session = CodesignSession(pilot=lab.london.pilot, held_on=days_from_today(-30), title="R")
    db.session.add(session)
    db.session.commit()
    searched = client.post(
        f"/codesign/{session.id}/suggestions",
        data={"action": "find", "find": "zzz", "text": "Kept"},
    )
    assert searched.status_code == 200
    assert "No module version title contains “zzz”" in searched.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(FeedbackItem.id))) == len(lab.items) + len(
        lab.sw_items
    )
    # A version of a module outside the educator's scope is refused, not kept.
    refused = client.post(
        f"/codesign/{session.id}/suggestions",
        data={
            "version": str(lab.sw_module.latest.id),
            "text": "Out of scope",
            "source": "codesign_session",
        },
    )
    assert refused.status_code == 400
