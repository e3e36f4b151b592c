"""A participant gives feedback; the lead educator finds it in the inbox and replies; the
reply is emailed through the outbox and the participant reads it on their own feedback page
by following the email's link. Every page is checked at 375 px and 1280 px."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.browser.conftest import Visitor, emailed_path
from tests.browser.widths import check_both_widths

pytestmark = pytest.mark.browser

PARTICIPANT = "participant@example.nhs.uk"
EDUCATOR = "lead.educator.london@example.nhs.uk"
SLUG = "shared-decision-making"
# Words no other journey writes, to find this feedback in the inbox.
FEEDBACK = "Could the interpreter example show a telephone consultation as well?"
REPLY = "Thank you. The next version adds a telephone consultation with an interpreter."


def _sign_in_as(visitor: Visitor, email: str) -> None:
    visitor.page.set_viewport_size({"width": 1280, "height": 900})
    visitor.page.context.clear_cookies()
    visitor.sign_in(email)


def test_educator_replies_and_the_participant_reads_it(
    visitor: Visitor, live_database: Path
) -> None:
    page = visitor.page
    _sign_in_as(visitor, PARTICIPANT)
    assert visitor.go(f"/modules/{SLUG}/feedback").status == 200
    for field in ("relevance", "quality", "applicability"):
        page.check(f"input[name='{field}'][value='4']")
    page.fill("#text", FEEDBACK)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    assert "feedback" in page.locator(".nhsuk-notification-banner").inner_text()

    _sign_in_as(visitor, EDUCATOR)
    visitor.go("/feedback?text=telephone+consultation")
    with page.expect_navigation():
        page.locator("tbody tr", has_text="interpreter example").locator("a").first.click()
    assert "Could the interpreter example" in page.locator("h1").inner_text()
    check_both_widths(visitor, "feedback-reply-item")

    # An empty reply is refused next to the field and nothing is sent.
    with page.expect_navigation():
        page.click("button:has-text('Send reply')")
    assert "Enter your reply" in page.locator(".nhsuk-error-summary").inner_text()
    check_both_widths(visitor, "feedback-reply-error")

    page.fill("#body", REPLY)
    with page.expect_navigation():
        page.click("button:has-text('Send reply')")
    assert "Reply sent" in page.locator(".nhsuk-notification-banner").inner_text()
    assert REPLY in page.locator("#replies + .app-timeline").inner_text()
    check_both_widths(visitor, "feedback-reply-sent")

    # The email in the outbox carries the reply and links to the participant's own page.
    with sqlite3.connect(live_database) as conn:
        emails = conn.execute(
            "SELECT n.title, n.body FROM notification n JOIN user_account u"
            " ON u.id = n.recipient_id WHERE n.kind = 'feedback_reply' AND u.email = ?",
            (PARTICIPANT,),
        ).fetchall()
    assert len(emails) == 1 and REPLY in emails[0][1]
    link = emailed_path(live_database, PARTICIPANT, "feedback_reply")
    assert link == f"/modules/{SLUG}/feedback"

    _sign_in_as(visitor, PARTICIPANT)
    assert visitor.go(link).status == 200
    replies = page.locator("#replies").locator("xpath=following-sibling::div[1]").inner_text()
    assert REPLY in replies
    check_both_widths(visitor, "feedback-reply-read")
