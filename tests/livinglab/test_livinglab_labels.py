"""What a lead educator reads agrees with itself: counts, module names, unrated versions
and the regions they can filter by."""

from __future__ import annotations

import re

from futuredoctor.extensions import db
from futuredoctor.models import CodesignSession, FeedbackItem, FeedbackSource, FeedbackStatus
from tests.factories import days_from_today
from tests.helpers import login
from tests.livinglab.test_livinglab_loop import _version_form


def _done(page: str) -> str:
    found = re.search(r'app-stat">(\d+)</span> done', page)
    assert found, "no 'done' count"
    return found.group(1)


def test_home_and_inbox_count_the_same_items(client, lab) -> None:
    session = CodesignSession(pilot=lab.london.pilot, held_on=days_from_today(-3), title="Review")
    db.session.add(session)
    db.session.flush()
    db.session.add(
        FeedbackItem(
            module_version_id=lab.module.latest.id,
            codesign_session_id=session.id,
            source=FeedbackSource.EDUCATOR,
            text="Suggestion from the session",
            status=FeedbackStatus.DONE,
        )
    )
    lab.items[0].status = FeedbackStatus.DONE
    db.session.commit()
    login(client, lab.educator)
    home, inbox = client.get("/").get_data(as_text=True), client.get("/feedback").get_data(
        as_text=True
    )
    assert _done(home) == _done(inbox) == "2"


def test_ratings_name_modules_and_show_versions_nobody_rated(client, lab) -> None:
    login(client, lab.educator)
    url = f"/modules/{lab.module.slug}/versions/new"
    assert client.post(url, data=_version_form(lab.module)).status_code == 302
    index = client.get("/feedback/ratings").get_data(as_text=True)
    assert lab.module.latest.title in index
    page = client.get(f"/feedback/ratings/{lab.module.slug}").get_data(as_text=True)
    assert "Version 2" in page and "No responses yet" in page


def test_a_one_pilot_educator_filters_by_no_other_region(client, lab) -> None:
    login(client, lab.educator)
    page = client.get("/feedback").get_data(as_text=True)
    assert "South West" not in page and 'name="region"' not in page
    login(client, lab.admin)
    page = client.get("/feedback").get_data(as_text=True)
    assert 'name="region"' in page and "South West" in page


def test_feedback_items_are_named_by_their_first_words(client, lab) -> None:
    login(client, lab.educator)
    inbox = client.get("/feedback").get_data(as_text=True)
    assert "“Too long for a night shift”<span" in inbox
    assert f"Ratings without a comment (no. {lab.items[2].id})" in inbox
    assert f">Feedback {lab.items[1].id}<" not in inbox
    page = client.get(f"/feedback/{lab.items[1].id}").get_data(as_text=True)
    assert "<h1>“Too long for a night shift”</h1>" in page
