"""Development plans with reminders, and anonymous colleague feedback behind a threshold."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask

from futuredoctor import clock
from futuredoctor.educators import colleague_feedback, plan
from futuredoctor.extensions import db
from futuredoctor.mail import sent_messages
from futuredoctor.models import (
    ColleagueFeedbackInvitation,
    ColleagueFeedbackResponse,
    DevelopmentGoal,
    Notification,
    Role,
)
from futuredoctor.refusals import Refusal
from tests.factories import days_from_today, make_user, shipped_pilot
from tests.helpers import login


def _lead():
    return make_user(roles=[(Role.LEAD_EDUCATOR, shipped_pilot("LON"))])


def test_goal_over_http_and_a_past_date_is_refused(client, app: Flask) -> None:
    lead = _lead()
    db.session.commit()
    login(client, lead)
    past = days_from_today(-1).strftime("%d/%m/%Y")
    data = {"subcompetency": "ETP7", "title": "Teach at the bedside", "target_date": past}
    refused = client.post("/educators/plan", data=data)
    assert refused.status_code == 400
    assert "Target date must be today or in the future" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DevelopmentGoal)) == 0
    data["target_date"] = days_from_today(20).strftime("%d/%m/%Y")
    data["module"] = "teaching-on-the-job"
    assert client.post("/educators/plan", data=data).status_code == 302
    goal = db.session.scalars(sa.select(DevelopmentGoal)).one()
    assert goal.module is not None and goal.subcompetency.code == "ETP7"
    review = {"status": "achieved", "review_note": "Done twice", "target_date": data["target_date"]}
    assert client.post(f"/educators/plan/{goal.id}", data=review).status_code == 302
    summary = client.get("/educators/summary").get_data(as_text=True)
    assert "Teach at the bedside" in summary and "Achieved: Done twice" in summary
    other = make_user(roles=[(Role.CHAMPION, shipped_pilot("LON").region)])
    db.session.commit()
    login(client, other)
    assert client.get(f"/educators/plan/{goal.id}").status_code == 404


def test_unknown_subcompetency_and_module_are_refused(app: Flask) -> None:
    lead = _lead()
    with pytest.raises(Refusal, match="Choose the subcompetency"):
        plan.add_goal(lead, "XYZ9", "Goal", days_from_today(3))
    with pytest.raises(Refusal, match="Choose a module"):
        plan.add_goal(lead, "ETP1", "Goal", days_from_today(3), "no-such-module")


def test_reminders_are_queued_once_as_a_target_nears(app: Flask, frozen_now) -> None:
    lead = _lead()
    soon = plan.add_goal(lead, "ETP1", "Soon", days_from_today(10))
    plan.add_goal(lead, "ETP2", "Later", days_from_today(60))
    done = plan.add_goal(lead, "ETP3", "Done", days_from_today(5))
    plan.review_goal(done, "achieved", "", done.target_date)
    today = clock.today_uk()
    assert plan.queue_goal_reminders(today) == 1
    assert plan.queue_goal_reminders(today) == 0  # idempotent
    rows = db.session.scalars(sa.select(Notification).where(Notification.kind == "goal_due")).all()
    assert [r.subject_key for r in rows] == [f"goal-{soon.id}-{soon.target_date.isoformat()}"]


def _request(app: Flask, owner, emails: str):
    request = colleague_feedback.create_request(owner, ["ETP1", "ETP7"], emails, "Thanks")
    db.session.commit()
    return request


def _tokens(app: Flask) -> list[str]:
    return [
        re.search(r"/educators/feedback/give/(\S+)", m.get_content()).group(1)  # type: ignore[union-attr]
        for m in sent_messages(app)
    ]


def test_feedback_is_shown_only_from_the_third_answer_and_links_work_once(
    client, app: Flask
) -> None:
    app.config["MAIL_BACKEND"] = "memory"
    owner = _lead()
    db.session.commit()
    request = _request(app, owner, "a@example.nhs.uk, b@example.nhs.uk\nc@example.nhs.uk")
    assert colleague_feedback.send_invitations() == 3
    assert colleague_feedback.send_invitations() == 0  # each invitation is sent once
    tokens = _tokens(app)
    assert len(tokens) == 3
    login(client, owner)
    results_page = f"/educators/feedback/{request.id}"
    for index, token in enumerate(tokens):
        page = client.get(f"/educators/feedback/give/{token}")
        assert page.status_code == 200 and "ETP7: Teaching" in page.get_data(as_text=True)
        answer = {"level-ETP1": str(index + 2), "level-ETP7": "3", "comment": f"Comment {index}"}
        assert client.post(f"/educators/feedback/give/{token}", data=answer).status_code == 200
        shown = client.get(results_page).get_data(as_text=True)
        if index < 2:
            assert "Comment 0" not in shown and "once at least 3 people have answered" in shown
    assert "Comment 0" in shown and "Comment 2" in shown
    again = client.post(f"/educators/feedback/give/{tokens[0]}", data={"comment": "Twice"})
    assert again.status_code == 400 and "used already" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ColleagueFeedbackResponse)) == 3
    # Nothing links an answer to who gave it.
    assert not {"invitation_id", "email", "created_at"} & set(
        ColleagueFeedbackResponse.__table__.columns.keys()
    )


def test_tampered_links_and_bad_answers_are_refused(client, app: Flask) -> None:
    owner = _lead()
    request = _request(app, owner, "a@example.nhs.uk")
    invitation = db.session.scalars(sa.select(ColleagueFeedbackInvitation)).one()
    token = colleague_feedback.token_for(invitation)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (tampered, "not-a-token", "x" * 1200):
        response = client.post(f"/educators/feedback/give/{bad}", data={"comment": "Hi"})
        assert response.status_code == 400
        assert "does not work" in response.get_data(as_text=True)
    out_of_range = client.post(f"/educators/feedback/give/{token}", data={"level-ETP1": "7"})
    assert out_of_range.status_code == 400
    assert "must be a whole number from 1 to 5" in out_of_range.get_data(as_text=True)
    assert request.responses == []
    db.session.refresh(invitation)
    assert invitation.answered_at is None


def test_the_threshold_is_configurable(app: Flask) -> None:
    app.config["COLLEAGUE_FEEDBACK_MIN_RESPONSES"] = 1
    owner = _lead()
    request = _request(app, owner, "a@example.nhs.uk")
    invitation = request.invitations[0]
    colleague_feedback.answer(colleague_feedback.token_for(invitation), {"ETP1": "4"}, "")
    results = colleague_feedback.results(request)
    assert results.visible and results.rows[0].counts == {4: 1}


def test_requests_refuse_bad_addresses_and_oneself(app: Flask) -> None:
    owner = _lead()
    with pytest.raises(Refusal, match="not an email address"):
        colleague_feedback.create_request(owner, ["ETP1"], "nobody", "")
    with pytest.raises(Refusal, match="not yourself"):
        colleague_feedback.create_request(owner, ["ETP1"], owner.email, "")
    with pytest.raises(Refusal, match="from the list"):
        colleague_feedback.create_request(owner, ["ZZZ"], "a@example.nhs.uk", "")
