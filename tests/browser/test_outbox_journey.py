"""The national admin finds two emails the sender gave up on (a module title with a line
break cannot go in an email header), retries one and discards the other. Every page passes
axe-core."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from futuredoctor import clock, create_app
from futuredoctor.extensions import db
from futuredoctor.models import Notification, User
from futuredoctor.notifications import outbox
from tests.browser.conftest import ARTIFACTS, Visitor
from tests.conftest import make_test_config

pytestmark = pytest.mark.browser

REASON = "Cannot build the email: Header values may not contain linefeed or carriage return"


@pytest.fixture
def failed_emails(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Two given-up emails in the live server's database; returns their recipients."""
    found = sorted(tmp_path_factory.getbasetemp().glob("live*/live.db"))
    assert found, "live server database not found"
    app = create_app(make_test_config(f"sqlite:///{found[-1]}"))
    emails = ["participant@example.nhs.uk", "lead.educator.london@example.nhs.uk"]
    with app.app_context():
        for n, email in enumerate(emails):
            user = db.session.scalars(sa.select(User).where(User.email == email)).one()
            outbox.queue(
                "module_released",
                user.id,
                f"outbox-journey:{n}",
                "New module: Handover\nsafety",
                "A module is now available.",
            )
        db.session.execute(
            sa.update(Notification)
            .where(Notification.subject_key.like("outbox-journey:%"))
            .values(failed_at=clock.now(), attempts=1, last_error=REASON)
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return emails


def _row(visitor: Visitor, email: str):
    """The journey's own email to ``email`` (demo data queues others too)."""
    return visitor.page.locator("#outbox tbody tr", has_text=email).filter(has_text="Handover")


def test_admin_retries_one_failed_email_and_discards_another(
    visitor: Visitor, failed_emails: list[str]
) -> None:
    page = visitor.page
    retried, discarded = failed_emails
    visitor.sign_in("national.admin@example.nhs.uk")
    assert "2 emails failed" in page.content()
    visitor.check_page("home-national-admin-failed-emails")
    with page.expect_navigation():
        page.click("#failed-emails a")
    assert page.url.endswith("/admin/outbox")
    assert page.locator("#outbox tbody tr", has_text="Header values may not").count() == 2
    visitor.check_page("admin-outbox")
    page.screenshot(path=str(ARTIFACTS / "admin-outbox-top.png"))  # the part people read

    with page.expect_navigation():
        _row(visitor, retried).locator("button:has-text('Retry')").click()
    assert f"The email to {retried} will be tried again." in page.content()
    assert _row(visitor, retried).count() == 0  # queued again, for the sender's next round
    visitor.check_page("admin-outbox-retried")

    with page.expect_navigation():
        _row(visitor, discarded).locator("button:has-text('Discard')").click()
    assert f"The email to {discarded} was discarded." in page.content()
    assert _row(visitor, discarded).count() == 0
    visitor.check_page("admin-outbox-discarded")

    visitor.go("/")
    assert "email failed" not in page.content() and "emails failed" not in page.content()
