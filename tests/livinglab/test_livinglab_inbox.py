"""The feedback inbox: scope, filters, paging queries, triage, tags and bulk changes."""

from __future__ import annotations

import re

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.models import (
    FeedbackItem,
    FeedbackStatus,
    FeedbackStatusChange,
    FeedbackTag,
    Notification,
)
from tests.helpers import login
from tests.livinglab.lab import give_feedback


def _ids(html: str, items: list[FeedbackItem]) -> set[int]:
    return {i.id for i in items if f'id="select-{i.id}"' in html}


def test_inbox_shows_only_the_educators_pilot(client, lab) -> None:
    login(client, lab.educator)
    html = client.get("/feedback").get_data(as_text=True)
    assert _ids(html, lab.items) == {i.id for i in lab.items}
    assert _ids(html, lab.sw_items) == set()
    assert client.get(f"/feedback/{lab.sw_items[0].id}").status_code == 404
    assert client.get(f"/feedback/{lab.items[0].id}").status_code == 200


def test_national_admin_sees_everything(client, lab) -> None:
    login(client, lab.admin)
    html = client.get("/feedback").get_data(as_text=True)
    assert _ids(html, lab.items + lab.sw_items) == {i.id for i in lab.items + lab.sw_items}


def test_filters(client, lab) -> None:
    login(client, lab.admin)
    low = client.get("/feedback?rating=2").get_data(as_text=True)
    assert _ids(low, lab.items + lab.sw_items) == {lab.items[1].id, lab.items[2].id}
    region = client.get("/feedback?region=SW").get_data(as_text=True)
    assert _ids(region, lab.items + lab.sw_items) == {lab.sw_items[0].id}
    module = client.get(f"/feedback?module={lab.module.slug}").get_data(as_text=True)
    assert _ids(module, lab.items + lab.sw_items) == {i.id for i in lab.items}
    version = client.get(f"/feedback?version={lab.sw_module.latest.id}").get_data(as_text=True)
    assert _ids(version, lab.items + lab.sw_items) == {lab.sw_items[0].id}
    text = client.get("/feedback?text=night+shift").get_data(as_text=True)
    assert _ids(text, lab.items + lab.sw_items) == {lab.items[1].id}
    source = client.get("/feedback?source=codesign_session").get_data(as_text=True)
    assert "No feedback matches these filters" in source
    client.post(f"/feedback/{lab.items[0].id}/status", data={"status": "under_review"})
    status = client.get("/feedback?status=under_review").get_data(as_text=True)
    assert _ids(status, lab.items + lab.sw_items) == {lab.items[0].id}
    client.post(f"/feedback/{lab.items[2].id}/tags", data={"tags": "Timing"})
    tag = db.session.scalar(sa.select(FeedbackTag).where(FeedbackTag.name == "timing"))
    tagged = client.get(f"/feedback?tag={tag.id}").get_data(as_text=True)
    assert _ids(tagged, lab.items + lab.sw_items) == {lab.items[2].id}


def test_bad_filters_are_refused_with_a_message(client, lab) -> None:
    login(client, lab.educator)
    response = client.get("/feedback?status=lost&region=XX")
    assert response.status_code == 400
    assert "Choose a status from the list" in response.get_data(as_text=True)
    assert client.get("/feedback?page=0").status_code == 404


def test_inbox_query_count_does_not_grow_with_items(client, lab, count_queries) -> None:
    login(client, lab.educator)
    client.get("/feedback")
    with count_queries() as few:
        client.get("/feedback")
    for n in range(12):
        give_feedback(lab.london, lab.module, (3, 3, 3), f"More {n}")
    db.session.commit()
    client.post(f"/feedback/{lab.items[0].id}/tags", data={"tags": "a, b, c"})
    with count_queries() as many:
        html = client.get("/feedback").get_data(as_text=True)
    assert html.count('name="bulk-items"') == 15
    assert len(many) == len(few)


def test_status_moves_forward_with_a_timeline(client, lab) -> None:
    login(client, lab.educator)
    item = lab.items[1]
    response = client.post(
        f"/feedback/{item.id}/status",
        data={"status": "planned", "note": "Next version", "from_status": "received"},
    )
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.status is FeedbackStatus.PLANNED
    (entry,) = item.history
    assert (entry.status, entry.note, entry.changed_by_id) == (
        FeedbackStatus.PLANNED,
        "Next version",
        lab.educator.id,
    )
    page = client.get(f"/feedback/{item.id}").get_data(as_text=True)
    assert "Next version" in page and lab.educator.full_name in page


def test_invalid_transitions_are_refused(client, lab) -> None:
    login(client, lab.educator)
    item = lab.items[1]
    client.post(f"/feedback/{item.id}/status", data={"status": "in_progress"})
    for status, message in [
        ("under_review", "it can only move to"),
        ("done", "cannot be marked done by hand"),
        ("lost", "Select the new status"),
        ("declined", "Enter the reason for declining"),
    ]:
        response = client.post(f"/feedback/{item.id}/status", data={"status": status})
        assert response.status_code == 400, status
        assert message in response.get_data(as_text=True)
    db.session.refresh(item)
    assert item.status is FeedbackStatus.IN_PROGRESS
    assert len(item.history) == 1


def test_declining_needs_a_reason_and_tells_an_opted_in_participant(client, lab) -> None:
    login(client, lab.educator)
    item = lab.items[0]
    response = client.post(
        f"/feedback/{item.id}/status", data={"status": "declined", "note": "Out of scope"}
    )
    assert response.status_code == 302
    db.session.refresh(item)
    assert (item.status, item.status_reason) == (FeedbackStatus.DECLINED, "Out of scope")
    note = db.session.scalar(
        sa.select(Notification).where(Notification.kind == "feedback_decision")
    )
    assert note.recipient_id == lab.participant.id and "Out of scope" in note.body
    reopened = client.post(f"/feedback/{item.id}/status", data={"status": "under_review"})
    assert reopened.status_code == 302


def test_a_stale_or_repeated_status_form(client, lab) -> None:
    login(client, lab.educator)
    item = lab.items[1]
    data = {"status": "under_review", "from_status": "received"}
    assert client.post(f"/feedback/{item.id}/status", data=data).status_code == 302
    again = client.post(f"/feedback/{item.id}/status", data=data, follow_redirects=True)
    assert "already under review" in again.get_data(as_text=True)
    stale = client.post(
        f"/feedback/{item.id}/status", data={"status": "planned", "from_status": "received"}
    )
    assert stale.status_code == 409
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(FeedbackStatusChange.feedback_item_id == item.id)
        )
        == 1
    )


def test_bulk_status_change(client, lab) -> None:
    login(client, lab.educator)
    first, second, third = lab.items
    client.post(f"/feedback/{third.id}/status", data={"status": "in_progress"})
    response = client.post(
        "/feedback/status",
        data={
            "bulk-items": [first.id, second.id, third.id, lab.sw_items[0].id],
            "bulk-status": "planned",
            "bulk-note": "Autumn review",
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert f"Moved feedback {first.id}, {second.id} to planned" in page
    assert "it can only move to" in page
    statuses = [db.session.get(FeedbackItem, i.id).status for i in (*lab.items, *lab.sw_items)]
    assert statuses == [
        FeedbackStatus.PLANNED,
        FeedbackStatus.PLANNED,
        FeedbackStatus.IN_PROGRESS,
        FeedbackStatus.RECEIVED,
    ]
    empty = client.post("/feedback/status", data={"bulk-status": "planned"})
    assert empty.status_code == 400
    assert "Select at least one feedback item" in empty.get_data(as_text=True)


def test_tags_are_created_on_the_fly_validated_and_removed(client, lab) -> None:
    login(client, lab.educator)
    item = lab.items[0]
    ok = client.post(
        f"/feedback/{item.id}/tags", data={"tags": " Handover ,  case   studies,handover"}
    )
    assert ok.status_code == 302
    db.session.refresh(item)
    assert [t.name for t in item.tags] == ["case studies", "handover"]
    too_long = client.post(f"/feedback/{item.id}/tags", data={"tags": "x" * 61})
    assert too_long.status_code == 400
    assert "60 characters or fewer" in too_long.get_data(as_text=True)
    odd = client.post(f"/feedback/{item.id}/tags", data={"tags": "<script>"})
    assert odd.status_code == 400
    tag_id = item.tags[0].id
    assert client.post(f"/feedback/{item.id}/tags", data={"remove": tag_id}).status_code == 302
    db.session.refresh(item)
    assert [t.name for t in item.tags] == ["handover"]
    assert (
        client.post(f"/feedback/{lab.sw_items[0].id}/tags", data={"tags": "x"}).status_code == 404
    )


def _version_options(html: str) -> list[str]:
    start = html.index('id="version"')
    block = html[start : html.index("</select>", start)]
    return [part.split('"', 1)[0] for part in block.split('value="')[1:]]


def test_the_version_filter_lists_one_modules_versions(client, lab) -> None:
    """Listing every version in scope made the inbox grow with each edit of any module."""
    login(client, lab.admin)
    unfiltered = client.get("/feedback").get_data(as_text=True)
    assert _version_options(unfiltered) == [""]
    assert "Choose a module and filter to list its versions." in unfiltered
    chosen = client.get(f"/feedback?module={lab.module.slug}").get_data(as_text=True)
    ids = {str(v.id) for v in lab.module.versions}
    assert set(_version_options(chosen)) == {"", *ids}
    # A version given on its own lists its module's versions and filters by it.
    alone = client.get(f"/feedback?version={lab.sw_module.latest.id}").get_data(as_text=True)
    assert set(_version_options(alone)) == {"", *(str(v.id) for v in lab.sw_module.versions)}
    # A version of another module than the chosen one is refused, not a 500.
    mixed = client.get(f"/feedback?module={lab.module.slug}&version={lab.sw_module.latest.id}")
    assert mixed.status_code == 400
    # An educator is never offered another pilot's module or its versions.
    client.post("/sign-out")
    login(client, lab.educator)
    theirs = client.get(f"/feedback?version={lab.sw_module.latest.id}")
    assert theirs.status_code == 400
    assert f'value="{lab.sw_module.slug}"' not in theirs.get_data(as_text=True)


def test_a_national_inbox_offers_every_module_and_region_without_asking(
    client, lab, count_queries
) -> None:
    """Someone who triages everywhere is offered the kept content choices; a one-pilot
    educator only the modules and region of their pilot."""
    login(client, lab.admin)
    client.get("/feedback")
    with count_queries() as statements:
        page = client.get("/feedback").get_data(as_text=True)
    assert not any("FROM region" in s or "FROM module " in s for s in statements)
    for slug in (lab.module.slug, lab.sw_module.slug):
        assert f'<option value="{slug}"' in page
    assert '<option value="LON"' in page and '<option value="SW"' in page
    filtered = client.get(f"/feedback?module={lab.module.slug}&region=LON")
    assert filtered.status_code == 200
    login(client, lab.educator)
    mine = client.get("/feedback").get_data(as_text=True)
    assert f'<option value="{lab.sw_module.slug}"' not in mine
    assert '<option value="SW"' not in mine


def test_an_items_page_reads_the_item_with_its_origin_and_tags_at_once(
    client, lab, count_queries
) -> None:
    """Cohort, version, module, pilot, region, contributor and tags come with the item:
    read one by one they were eight statements of the page's eleven."""
    item = lab.items[0]
    login(client, lab.educator)
    client.post(f"/feedback/{item.id}/tags", data={"tags": "Timing"})
    with count_queries() as statements:
        page = client.get(f"/feedback/{item.id}").get_data(as_text=True)
    assert ">timing<" in page and item.module_version.title in page
    lone = re.compile(r"FROM (cohort|module|region|pilot|feedback_tag, \w+)\s*\nWHERE")
    assert not [s for s in statements if lone.search(s)], statements
    assert len(statements) <= 5
