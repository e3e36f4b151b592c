"""Co-design sessions, publishing versions that close the loop, the content-file route,
"You said, we did", the version diff and "Did it work?" ratings."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from futuredoctor.content import ContentError, sync_content
from futuredoctor.extensions import db
from futuredoctor.livinglab.loop import NOTIFICATION_KIND
from futuredoctor.livinglab.workflow import OPEN_STATUSES
from futuredoctor.models import (
    AuditEvent,
    CodesignSession,
    FeedbackItem,
    FeedbackSource,
    FeedbackStatus,
    Module,
    Notification,
)
from futuredoctor.models.content_stamp import BUMPED
from tests.dates import tomorrow
from tests.factories import days_from_today, make_release
from tests.helpers import login

ROOT = Path(__file__).resolve().parents[2]


def _held_on(day: date) -> dict[str, str]:
    return {
        "held_on_day": str(day.day),
        "held_on_month": str(day.month),
        "held_on_year": str(day.year),
    }


def _session_form(lab, **extra):
    data = {
        "pilot": "lon-inclusion-health",
        "title": "Autumn review",
        **_held_on(days_from_today(-29)),
        "participants_count": "5",
        "educators_count": "2",
        "patients_public_count": "3",
        "other_professionals_count": "1",
        "notes": "Good discussion",
        "suggestions-0-version": str(lab.module.latest.id),
        "suggestions-0-text": "Add a community example",
        "suggestions-1-version": str(lab.module.latest.id),
        "suggestions-1-text": "Shorter second activity",
        "suggestions-2-version": "",
        "suggestions-2-text": "",
    }
    data.update(extra)
    return data


def test_recording_a_codesign_session(client, lab) -> None:
    login(client, lab.educator)
    response = client.post("/codesign/new", data=_session_form(lab))
    assert response.status_code == 302
    session = db.session.scalar(sa.select(CodesignSession))
    assert (session.patients_public_count, session.created_by_id) == (3, lab.educator.id)
    items = db.session.scalars(
        sa.select(FeedbackItem).where(FeedbackItem.codesign_session_id == session.id)
    ).all()
    assert {i.source for i in items} == {FeedbackSource.CODESIGN_SESSION}
    assert len(items) == 2
    again = client.post("/codesign/new", data=_session_form(lab), follow_redirects=True)
    assert "was already recorded" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CodesignSession)) == 1
    page = client.get(f"/codesign/{session.id}").get_data(as_text=True)
    assert "Add a community example" in page and "Total attendees" in page
    assert "Autumn review" in client.get("/codesign").get_data(as_text=True)
    added = client.post(
        f"/codesign/{session.id}/suggestions",
        data={"version": str(lab.module.latest.id), "text": "One more"},
    )
    assert added.status_code == 302
    inbox = client.get("/feedback?source=codesign_session").get_data(as_text=True)
    assert inbox.count('name="bulk-items"') == 3
    login(client, lab.sw_educator)
    assert client.get(f"/codesign/{session.id}").status_code == 404
    assert client.get(f"/feedback/{items[0].id}").status_code == 404


def test_bad_session_input_changes_nothing(client, lab) -> None:
    login(client, lab.educator)
    bad = _session_form(
        lab,
        held_on_day="31",
        held_on_month="2",
        educators_count="-1",
        **{"suggestions-0-version": ""},
        pilot="sw-remote-rural-coastal",
    )
    response = client.post("/codesign/new", data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in [
        "Session date must be a real date",
        "between 0 and 10,000",
        "Select the module version this suggestion is about",
        "Choose a pilot from the list",
    ]:
        assert message in page, message
    future = client.post("/codesign/new", data=_session_form(lab, **_held_on(tomorrow())))
    assert "today or in the past" in future.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CodesignSession)) == 0


def _version_form(module: Module, **extra):
    latest = module.latest
    data = {
        "based_on": str(latest.number),
        "title": latest.title,
        "summary": latest.summary,
        "estimated_minutes": str(latest.estimated_minutes),
        "delivery_mode": latest.delivery_mode,
        "learning_outcomes": "\n".join(latest.learning_outcomes),
        "gpc_domains": [d.code for d in latest.domains],
        "body": latest.body_markdown + "\n\n## New section\n\nA worked example.",
        "changelog": "Added a worked example",
    }
    data.update(extra)
    return data


def test_publishing_a_version_closes_the_loop(client, lab) -> None:
    login(client, lab.educator)
    url = f"/modules/{lab.module.slug}/versions/new"
    editor = client.get(url).get_data(as_text=True)
    assert f"Feedback {lab.items[0].id}" in editor
    preview = client.post(url, data={**_version_form(lab.module), "action": "preview"})
    assert preview.status_code == 200 and "<h2>New section</h2>" in preview.get_data(as_text=True)
    ids = [lab.items[0].id, lab.items[1].id]
    response = client.post(url, data=_version_form(lab.module, addresses=ids))
    assert response.status_code == 302
    db.session.expire_all()
    module = db.session.get(Module, lab.module.id)
    new = module.latest
    assert (new.number, new.published_by_id, len(new.content_hash)) == (2, lab.educator.id, 64)
    for item in lab.items[:2]:
        item = db.session.get(FeedbackItem, item.id)
        assert (item.status, item.addressed_by_version_id) == (FeedbackStatus.DONE, new.id)
        assert item.history[-1].status is FeedbackStatus.DONE
    assert db.session.get(FeedbackItem, lab.items[2].id).status is FeedbackStatus.RECEIVED
    (note,) = db.session.scalars(
        sa.select(Notification).where(Notification.kind == NOTIFICATION_KIND)
    )
    assert (note.recipient_id, note.subject_key) == (
        lab.participant.id,
        f"feedback:{lab.items[0].id}",
    )
    assert db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "module_version_published")
    )
    # The same form again is stale (version 2 now exists) and changes nothing.
    again = client.post(url, data=_version_form(lab.module, based_on="1", addresses=ids))
    assert again.status_code == 400 and "was published after you opened" in again.get_data(
        as_text=True
    )
    # "You said, we did": the opted-in participant's words are quoted, the other's counted,
    # once version 2 has reached their cohort.
    make_release(new, lab.london, days_from_now=-0.01)
    db.session.commit()
    login(client, lab.participant)
    page = client.get(f"/modules/{lab.module.slug}").get_data(as_text=True)
    assert "You said, we did" in page and "Great case study" in page and "Your feedback" in page
    assert "Too long for a night shift" not in page
    diff = client.get(f"/modules/{lab.module.slug}/changes?before=1&after=2").get_data(as_text=True)
    assert "<ins>" in diff and "New section" in diff and "Added line" in diff
    same = client.get(f"/modules/{lab.module.slug}/changes?before=2&after=2")
    assert same.status_code == 400


def test_the_editor_reads_only_the_newest_version_and_its_domains_from_memory(
    client, lab, count_queries
) -> None:
    login(client, lab.educator)
    url = f"/modules/{lab.module.slug}/versions/new"
    client.get(url)  # the first view reads the content choices
    db.session.info.pop(BUMPED, None)
    codes = [domain.code for domain in lab.module.latest.domains]
    db.session.expire_all()  # the module's versions are not left loaded from setting up
    with count_queries() as statements:
        editor = client.get(url).get_data(as_text=True)
    assert codes and all(re.search(rf'value="{c}"[^>]*checked', editor) for c in codes)
    assert not [s for s in statements if "framework_domain" in s]
    version_reads = [s for s in statements if re.search(r"FROM module_version\s*\n", s)]
    assert len(version_reads) == 1 and "LIMIT" in version_reads[0], version_reads


def test_publishing_refusals(client, lab) -> None:
    url = f"/modules/{lab.module.slug}/versions/new"
    login(client, lab.sw_educator)
    assert client.get(url).status_code == 404
    login(client, lab.educator)
    unchanged = client.post(
        url, data=_version_form(lab.module, body=lab.module.latest.body_markdown)
    )
    assert "Nothing has changed" in unchanged.get_data(as_text=True)
    other = client.post(url, data=_version_form(lab.module, addresses=[lab.sw_items[0].id]))
    assert "not open feedback about this module" in other.get_data(as_text=True)
    empty = client.post(url, data={})
    assert empty.status_code == 400
    # A title goes into email subjects: a line break there could add headers.
    header = client.post(url, data=_version_form(lab.module, title="New\nBcc: all@example.org"))
    assert header.status_code == 400
    assert "Title must be on one line" in header.get_data(as_text=True)
    db.session.expire_all()
    assert len(db.session.get(Module, lab.module.id).versions) == 1
    login(client, lab.admin)
    assert client.get(f"/modules/{lab.sw_module.slug}/versions/new").status_code == 200


def test_ratings_by_version_and_region(client, lab) -> None:
    login(client, lab.educator)
    page = client.get(f"/feedback/ratings/{lab.module.slug}").get_data(as_text=True)
    assert 'role="img"' in page and "<title" in page
    assert "Fewer than 5" in page
    assert "3.67" in page  # mean relevance of 5, 2 and 4
    assert "London" in page
    assert client.get(f"/feedback/ratings/{lab.sw_module.slug}").status_code == 404
    assert lab.module.slug in client.get("/feedback/ratings").get_data(as_text=True)


@pytest.fixture
def content(tmp_path: Path) -> tuple[Path, Path]:
    modules = shutil.copytree(ROOT / "modules_content", tmp_path / "modules_content")
    return modules, ROOT / "regions"


def _edit(path: Path, ids: str, extra: str = "\n\nA new paragraph.") -> None:
    text = path.read_text(encoding="utf-8")
    text = text.replace("version: 1\n", f"version: 2\naddresses_feedback: {ids}\n", 1)
    path.write_text(text + extra, encoding="utf-8")


def test_content_sync_links_addressed_feedback(app, lab, content) -> None:
    modules, regions = content
    _edit(modules / lab.module.slug / "module.md", f"[{lab.items[1].id}]")
    report = sync_content(db.session, modules, regions)
    assert report.versions_created == [f"{lab.module.slug} v2"]
    item = db.session.get(FeedbackItem, lab.items[1].id)
    assert item.status is FeedbackStatus.DONE and item.addressed_by_version.number == 2
    assert item.history[-1].changed_by_id is None


def test_content_sync_reports_unknown_feedback_and_writes_nothing(app, lab, content) -> None:
    modules, regions = content
    _edit(modules / lab.module.slug / "module.md", f"[999999, {lab.sw_items[0].id}]")
    with pytest.raises(ContentError) as error:
        sync_content(db.session, modules, regions)
    messages = [p.message for p in error.value.problems]
    assert "feedback item 999999 does not exist" in messages[0]
    assert "is about module 'teaching-on-the-job'" in messages[1]
    assert error.value.problems[0].field == "addresses_feedback[0]"
    db.session.rollback()
    assert len(db.session.get(Module, lab.module.id).versions) == 1


def test_content_sync_keeps_a_version_published_on_the_web(client, lab, content) -> None:
    login(client, lab.educator)
    client.post(f"/modules/{lab.module.slug}/versions/new", data=_version_form(lab.module))
    modules, regions = content
    report = sync_content(db.session, modules, regions)
    assert report.versions_created == []
    db.session.expire_all()
    assert db.session.get(Module, lab.module.id).latest.number == 2


def _ticks(page: str) -> list[str]:
    """The feedback numbers the picker offers, in order."""
    return re.findall(r'name="addresses" type="checkbox" value="(\d+)"', page)


def test_the_feedback_picker_searches_and_pages_keeping_ticks(client, lab) -> None:
    """A module with many open items shows a page of them; searching and paging keep
    what was typed and ticked, and publishing addresses ticks from every page."""
    from futuredoctor.livinglab.address_picker import PICKER_PAGE
    from tests.livinglab.lab import give_feedback

    many = [
        give_feedback(lab.london, lab.module, text=f"Numbered comment {n:03d}")
        for n in range(PICKER_PAGE + 5)
    ]
    db.session.commit()
    login(client, lab.educator)
    url = f"/modules/{lab.module.slug}/versions/new"
    first = client.get(url).get_data(as_text=True)
    total = len(lab.items) + len(many)
    assert f"Showing open feedback 1 to {PICKER_PAGE} of {total}" in first
    assert f"Feedback {many[-1].id}:" not in first
    assert "picker_previous" not in first and "picker_next" in first
    shown = _ticks(first)
    assert len(shown) == PICKER_PAGE
    ticked = [lab.items[0].id]
    data = _version_form(
        lab.module,
        addresses=ticked,
        picker_page="1",
        picker_first=shown[0],
        picker_last=shown[-1],
        action="picker_next",
    )
    second = client.post(url, data=data)
    page = second.get_data(as_text=True)
    assert second.status_code == 200 and f"Feedback {many[-1].id}:" in page
    assert "and 1 ticked on other pages" in page and "Added a worked example" in page
    assert f"Showing open feedback {PICKER_PAGE + 1} to {total} of {total}" in page
    assert "picker_previous" in page and "picker_next" not in page
    # Previous goes back to the first page; any other post back stays on the page shown.
    on_second = _ticks(page)
    back = {**data, "picker_page": "2", "picker_first": on_second[1], "picker_last": on_second[-1]}
    previous = client.post(url, data={**back, "action": "picker_previous"})
    assert _ticks(previous.get_data(as_text=True)) == shown
    preview = client.post(url, data={**back, "action": "preview"}).get_data(as_text=True)
    assert f"Showing open feedback {PICKER_PAGE + 1} to {total}" in preview
    found = client.post(url, data={**data, "action": "find", "find": "comment 007"})
    page = found.get_data(as_text=True)
    assert "Showing open feedback 1 to 1 of 1 matching" in page
    assert f"Feedback {many[7].id}:" in page and f"Feedback {many[8].id}:" not in page
    by_number = client.post(url, data={**data, "action": "find", "find": str(many[9].id)})
    assert f"Feedback {many[9].id}:" in by_number.get_data(as_text=True)
    # A cursor that is not a number, or names no item, starts again at the first page.
    odd = client.post(url, data={**data, "picker_last": "999999999", "action": "picker_next"})
    assert odd.status_code == 200
    assert f"Showing open feedback 1 to {PICKER_PAGE}" in odd.get_data(as_text=True)
    published = client.post(url, data=_version_form(lab.module, addresses=[*ticked, many[-1].id]))
    assert published.status_code == 302
    db.session.expire_all()
    done = [db.session.get(FeedbackItem, i).status for i in (lab.items[0].id, many[-1].id)]
    assert done == [FeedbackStatus.DONE, FeedbackStatus.DONE]


def test_the_feedback_picker_caps_its_count(client, lab, monkeypatch) -> None:
    """Past the cap the picker says "more than" instead of counting every open item."""
    from futuredoctor.livinglab import address_picker
    from tests.livinglab.lab import give_feedback

    monkeypatch.setattr(address_picker, "COUNT_CAP", 3)
    for n in range(4):
        give_feedback(lab.london, lab.module, text=f"Capped comment {n}")
    db.session.commit()
    login(client, lab.educator)
    page = client.get(f"/modules/{lab.module.slug}/versions/new").get_data(as_text=True)
    assert "of more than 3" in page


def test_a_picker_page_its_items_and_its_count_are_one_statement(app, lab, count_queries) -> None:
    """Read apart, the page's numbers, their columns and the count were three round trips."""
    from futuredoctor.content.choices import content_choices
    from futuredoctor.livinglab.address_picker import open_items_picker
    from futuredoctor.livinglab.scope import TRIAGE
    from futuredoctor.permissions import pilot_id_list

    _ = content_choices(), lab.module.id, pilot_id_list(lab.educator, TRIAGE)  # once a request

    def read(statements: list[str]) -> list[str]:
        # In a request the content stamp comes with the account; here it is asked alone.
        return [s for s in statements if "FROM content_stamp" not in s]

    with count_queries() as statements:
        picker = open_items_picker(lab.educator, lab.module, "", None, 1, [])
    assert len(read(statements)) == 1
    assert picker.total == len(picker.items) > 0
    with count_queries() as statements:  # nothing matches: the count is asked alone
        empty = open_items_picker(lab.educator, lab.module, "no such words", None, 1, [])
    assert (empty.items, empty.total, len(read(statements))) == ([], 0, 2)


def test_the_picker_counts_the_open_items_the_person_may_address(app, lab) -> None:
    """The count comes from the open-items index ranges the page reads, one per version and
    pilot: it is the number of open items about the module in the person's scope, whether
    the person searches or not, and leaves out items of other regions and settled ones."""
    from futuredoctor.livinglab.address_picker import matching, open_items, open_items_picker
    from tests.livinglab.lab import give_feedback

    give_feedback(lab.southwest, lab.module, text="South West says the case study is long")
    lab.items[1].status = FeedbackStatus.DONE
    db.session.commit()
    for person in (lab.educator, lab.sw_educator, lab.admin):
        number = f"Feedback {lab.items[0].id}"
        for find in ("", "case study", "no such words", "50%_\\", number, "CASE"):
            picker = open_items_picker(person, lab.module, find, None, 1, [])
            stmt = matching(open_items(person, lab.module), find)
            expected = len(db.session.scalars(stmt).all())
            assert (person.email, find, picker.total) == (person.email, find, expected)
    assert open_items_picker(lab.admin, lab.module, "", None, 1, []).total == 3


def test_the_open_feedback_index_covers_the_open_statuses() -> None:
    from futuredoctor.models.feedback import OPEN_ITEMS

    named = set(re.findall(r"'(\w+)'", OPEN_ITEMS))
    assert named == {status.value for status in OPEN_STATUSES}


def test_suggestions_on_behalf_of_an_educator_or_a_patient_fill_the_source_filters(
    client, lab
) -> None:
    login(client, lab.educator)
    client.post("/codesign/new", data=_session_form(lab))
    session = db.session.scalar(sa.select(CodesignSession))
    url = f"/codesign/{session.id}/suggestions"
    version = str(lab.module.latest.id)
    for source, text in (("patient_public", "Say what happens next"), ("educator", "Shorter")):
        response = client.post(url, data={"version": version, "text": text, "source": source})
        assert response.status_code == 302
    bad = client.post(url, data={"version": version, "text": "x", "source": "participant"})
    assert bad.status_code == 400
    assert "Choose a source from the list" in bad.get_data(as_text=True)
    public = client.get("/feedback?source=patient_public").get_data(as_text=True)
    assert "Say what happens next" in public and "Shorter" not in public
    assert "Shorter" in client.get("/feedback?source=educator").get_data(as_text=True)
    page = client.get(f"/codesign/{session.id}").get_data(as_text=True)
    assert "Patient or public member" in page


def test_publishing_ends_on_scheduling_the_new_version(client, lab) -> None:
    login(client, lab.educator)
    module_page = client.get(f"/modules/{lab.module.slug}").get_data(as_text=True)
    assert f"/releases/new?version={lab.module.latest.id}" in module_page
    response = client.post(
        f"/modules/{lab.module.slug}/versions/new", data=_version_form(lab.module)
    )
    db.session.expire_all()
    new = db.session.get(Module, lab.module.id).latest
    location = response.headers["Location"]
    assert location.startswith("/releases/new?") and f"version={new.id}" in location
    assert "cohort=lon-current" in location and "sw-current" not in location
    page = client.get(location).get_data(as_text=True)
    assert "<h1>Schedule this version</h1>" in page
    assert f'<option value="{new.id}" selected' in page
    assert 'value="lon-current" checked' in page
    assert f"/modules/{lab.module.slug}/changes?before=1&amp;after=2" in page
