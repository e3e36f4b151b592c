"""Educator development in a browser, two journeys, every page axe-checked:

1. A lead educator rates themselves, adds a goal, asks three colleagues for feedback (who
   answer through their emailed links, signed out) and sees the answers and the chart.
2. A participant asks a champion in another region to mentor them; the champion accepts,
   they agree, log a meeting, the London regional lead sees the aggregate, the mentee
   ends it with feedback.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from futuredoctor.educators import colleague_feedback
from futuredoctor.extensions import db
from futuredoctor.models import ColleagueFeedbackInvitation
from tests.browser.conftest import Visitor
from tests.factories import days_from_today

pytestmark = pytest.mark.browser

EDUCATOR = "lead.educator.london@example.nhs.uk"
PARTICIPANT = "participant@example.nhs.uk"
CHAMPION = "champion.southwest@example.nhs.uk"
REGIONAL_LEAD = "regional.lead.london@example.nhs.uk"


def _submit(page: Any, text: str) -> None:
    with page.expect_navigation():
        page.click(f"button:has-text('{text}')")


def _links(live_app: Any) -> list[str]:
    """The feedback links the invitation emails would carry."""
    with live_app.app_context(), live_app.test_request_context():
        invitations = db.session.scalars(
            sa.select(ColleagueFeedbackInvitation).order_by(ColleagueFeedbackInvitation.id)
        ).all()
        links = [f"/educators/feedback/give/{colleague_feedback.token_for(i)}" for i in invitations]
        db.session.remove()
    return links


def test_educator_rates_plans_asks_for_feedback_and_sees_it(
    visitor: Visitor, browser: Any, live_server: str, live_app: Any
) -> None:
    page = visitor.page
    visitor.sign_in(EDUCATOR)
    visitor.go("/educators/")
    visitor.check_page("educators-home")
    with page.expect_navigation():
        page.click("a:has-text('Rate yourself now')")
    page.select_option("select[name='ratings-4-level']", "2")  # ETP1 Feedback
    page.fill("textarea[name='ratings-4-evidence_note']", "Gave feedback after ward rounds")
    page.fill("input[name='ratings-4-evidence_link']", "javascript:void(0)")
    _submit(page, "Save self-assessment")
    assert "must be a web address" in page.locator(".nhsuk-error-summary").inner_text()
    visitor.check_page("educators-assessment-error")
    page.fill("input[name='ratings-4-evidence_link']", "/modules/teaching-on-the-job")
    page.select_option("select[name='ratings-10-level']", "3")  # ETP7 Teaching
    _submit(page, "Save self-assessment")
    assert "subcompetencies rated" in page.locator(".nhsuk-notification-banner").inner_text()

    visitor.go("/educators/plan")
    page.select_option("#subcompetency", "ETP1")
    page.fill("#title", "Observe and give structured feedback to two FY1s")
    page.fill("#target_date", days_from_today(30).strftime("%d/%m/%Y"))
    page.select_option("#module", "teaching-on-the-job")
    _submit(page, "Add goal")
    assert "Observe and give structured feedback" in page.locator("table").inner_text()
    visitor.check_page("educators-plan")

    visitor.go("/educators/feedback")
    page.check("input[value='ETP1']")
    page.check("input[value='ETP7']")
    page.fill("#emails", "ana@example.nhs.uk\nben@example.nhs.uk, cat@example.nhs.uk")
    _submit(page, "Send requests")
    assert "0 of 3 people have answered" in page.content()
    visitor.check_page("educators-feedback-waiting")
    results_path = page.url.removeprefix(visitor.base_url)

    colleague = browser.new_context(viewport={"width": 1200, "height": 900})
    other = Visitor(colleague.new_page(), live_server)
    for index, link in enumerate(_links(live_app)):
        other.go(link)
        if index == 0:
            other.check_page("educators-give-feedback")
        other.page.check(f"#level-ETP1-{index + 2}")
        other.page.check("#level-ETP7-3")
        other.page.fill("#comment", f"Clear and kind, colleague {index + 1}")
        _submit(other.page, "Send feedback")
        assert "Thank you for your feedback" in other.page.content()
        visitor.go(results_path)
        if index < 2:
            assert "Clear and kind" not in page.content()
    other.check_page("educators-feedback-thanks")
    other.go(_links(live_app)[0])
    assert "has been used already" in other.page.content()
    colleague.close()

    assert "How many people chose each level" in page.content()
    assert "Clear and kind, colleague 3" in page.content()
    visitor.check_page("educators-feedback-results")
    visitor.go("/educators/progress")
    assert page.locator("svg.app-chart__svg").count() == 1
    visitor.check_page("educators-progress")
    visitor.go("/educators/summary")
    visitor.check_page("educators-summary")


def test_mentee_and_mentor_from_request_to_feedback(
    visitor: Visitor, browser: Any, live_server: str
) -> None:
    mentor_context = browser.new_context(viewport={"width": 1200, "height": 900})
    mentor = Visitor(mentor_context.new_page(), live_server)
    mentor.sign_in(CHAMPION)
    mentor.go("/educators/mentoring/offer")
    mentor.page.select_option("#capacity", "2")
    mentor.page.check("input[value='ETP7']")
    mentor.page.check("input[value='careers']")
    mentor.page.select_option("#format", "online")
    mentor.page.fill("#about", "Rural GP trainer; happy to talk teaching and careers.")
    _submit(mentor.page, "Save offer")
    mentor.check_page("educators-mentoring-mentor")

    page = visitor.page
    visitor.sign_in(PARTICIPANT)
    visitor.go("/educators/mentoring/find?focus=ETP7")
    assert "Gwen Tremayne" not in page.content()  # another region, not asked for
    page.select_option("#cross_region", "yes")
    _submit(page, "Show mentors")
    assert "Can help with ETP7: Teaching" in page.content()
    visitor.check_page("educators-find-mentor")
    with page.expect_navigation():
        page.click("a:has-text('Ask Gwen Tremayne to mentor you')")
    _submit(page, "Send request")
    assert "Write a short message" in page.locator(".nhsuk-error-summary").inner_text()
    visitor.check_page("educators-ask-error")
    page.fill("#message", "I would like to start teaching on the ward.")
    _submit(page, "Send request")
    pairing_path = page.url.removeprefix(visitor.base_url)
    visitor.check_page("educators-pairing-requested")

    mentor.go(pairing_path)
    mentor.page.select_option("#decision", "accept")
    mentor.page.fill("#note", "Happy to help.")
    _submit(mentor.page, "Send answer")
    mentor.page.fill("#goals", "Plan and deliver one ward teaching session")
    mentor.page.fill("#frequency", "An hour a month, online")
    _submit(mentor.page, "Save agreement")
    mentor.page.fill("#met_on", days_from_today(0).strftime("%d/%m/%Y"))
    mentor.page.fill("#notes", "Chose a topic and a date for the session.")
    _submit(mentor.page, "Log meeting")
    assert "Chose a topic" in mentor.page.content()
    mentor.check_page("educators-pairing-active")
    mentor_context.close()

    lead_context = browser.new_context(viewport={"width": 1200, "height": 900})
    lead = Visitor(lead_context.new_page(), live_server)
    lead.sign_in(REGIONAL_LEAD)
    lead.go("/educators/overview")
    assert "Active mentoring pairs: 1 to 7" in lead.page.locator("main").inner_text()
    lead.check_page("educators-overview")
    lead_context.close()

    visitor.go(pairing_path)
    assert "Chose a topic" in page.content()
    page.fill("#feedback", "Practical and encouraging.")
    _submit(page, "End mentoring")
    assert "Practical and encouraging." in page.content()
    visitor.check_page("educators-pairing-ended")
