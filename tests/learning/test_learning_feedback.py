"""Feedback on the module version taken: one item per version, editable until educators act,
out-of-range ratings and oversized text refused with field messages."""

from __future__ import annotations

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.learning.feedback import FEEDBACK_TEXT_MAX
from futuredoctor.models import FeedbackItem, FeedbackSource, FeedbackStatus
from tests.helpers import login
from tests.learning.conftest import count

GOOD = {"relevance": "4", "quality": "5", "applicability": "3", "text": "Useful cases."}


def _items() -> list[FeedbackItem]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(FeedbackItem)))


def test_feedback_is_given_once_per_version_and_can_be_changed(client, journey) -> None:
    login(client, journey.participant)
    page = client.get("/modules/mod-old/feedback").get_data(as_text=True)
    assert "Strongly agree" in page and "Tell me what changes" in page
    response = client.post("/modules/mod-old/feedback", data={**GOOD, "notify_on_action": "y"})
    assert response.status_code == 302
    client.post("/modules/mod-old/feedback", data={**GOOD, "notify_on_action": "y"})  # again
    [item] = _items()
    assert (item.relevance, item.quality, item.applicability) == (4, 5, 3)
    assert item.source is FeedbackSource.PARTICIPANT
    assert item.module_version_id == journey.modules["old"].versions[0].id
    assert item.notify_on_action is True
    assert item.status is FeedbackStatus.RECEIVED

    page = client.get("/modules/mod-old/feedback").get_data(as_text=True)
    assert "Useful cases." in page and "Change feedback" in page
    client.post("/modules/mod-old/feedback", data={**GOOD, "quality": "2", "text": ""})
    [item] = _items()
    assert item.quality == 2 and item.text is None and item.notify_on_action is False


def test_feedback_is_locked_once_educators_act_on_it(client, journey) -> None:
    login(client, journey.participant)
    client.post("/modules/mod-old/feedback", data=GOOD)
    [item] = _items()
    item.status = FeedbackStatus.UNDER_REVIEW
    db.session.commit()
    page = client.get("/modules/mod-old/feedback").get_data(as_text=True)
    assert "can no longer be changed" in page and "Under review" in page
    assert "Send feedback" not in page and "Change feedback" not in page
    response = client.post("/modules/mod-old/feedback", data={**GOOD, "relevance": "1"})
    assert response.status_code == 400
    assert _items()[0].relevance == 4


BAD_INPUT = [
    ("relevance", "6", "the module was relevant to your work, from 1 to 5"),
    ("quality", "0", "the module was well made, from 1 to 5"),
    ("applicability", "", "you can apply it in your practice, from 1 to 5"),
    ("relevance", "four", "from 1 to 5"),
    ("text", "x" * (FEEDBACK_TEXT_MAX + 1), "Comments must be 5,000 characters or fewer"),
]


def test_bad_feedback_is_refused_with_field_messages(client, journey) -> None:
    login(client, journey.participant)
    for field, value, message in BAD_INPUT:
        response = client.post("/modules/mod-old/feedback", data={**GOOD, field: value})
        html = response.get_data(as_text=True)
        assert response.status_code == 400, field
        assert "nhsuk-error-summary" in html
        assert f'href="#{field}"' in html
        assert message in html
        assert count(FeedbackItem) == 0


def test_feedback_on_a_module_not_released_to_them_is_refused(client, journey) -> None:
    login(client, journey.participant)
    response = client.post("/modules/mod-future/feedback", data=GOOD)
    assert response.status_code == 400
    assert "has not been released to you yet" in response.get_data(as_text=True)
    assert client.get("/modules/mod-future/feedback").status_code == 200
    assert count(FeedbackItem) == 0


def test_each_participant_edits_only_their_own_feedback(client, journey) -> None:
    login(client, journey.participant)
    client.post("/modules/mod-old/feedback", data={**GOOD, "text": "From Amara"})
    login(client, journey.other)
    page = client.get("/modules/mod-old/feedback").get_data(as_text=True)
    assert "From Amara" not in page
    client.post("/modules/mod-old/feedback", data={**GOOD, "text": "From Tom"})
    texts = sorted(item.text for item in _items())
    assert texts == ["From Amara", "From Tom"]
