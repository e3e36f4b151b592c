"""A champion posts in the trailblazer network; a participant finds it, comments and marks
it useful; a national admin hides it with a reason. Every page passes axe-core with no CSP
violations."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Visitor

pytestmark = pytest.mark.browser

CHAMPION = "champion.southwest@example.nhs.uk"
PARTICIPANT = "participant@example.nhs.uk"
ADMIN = "national.admin@example.nhs.uk"
TITLE = "Pharmacy pop-up at the coastal clinic"


def test_post_comment_mark_useful_and_hide(visitor: Visitor) -> None:
    page = visitor.page
    visitor.sign_in(CHAMPION)
    visitor.go("/network/new")
    page.fill("#title", TITLE)
    page.fill("#body", "We ran a **weekly** pop-up.\n\n- fewer missed doses\n- happier staff")
    page.select_option("#region", value="SW")
    page.check("input[name='domains'][value='GPC6']")
    visitor.check_page("network-post-form")
    visitor.press("Post")
    assert page.locator("h1").inner_text() == TITLE
    assert page.locator("main strong", has_text="weekly").count() == 1
    visitor.sign_out()

    visitor.sign_in(PARTICIPANT)
    visitor.go("/network?region=SW&text=pop-up")
    assert page.locator(".nhsuk-card", has_text=TITLE).count() == 1
    visitor.check_page("network-list")
    with page.expect_navigation():
        page.click(f"a:has-text('{TITLE}')")
    page.fill("#body", "We are trying this in our practice next month.")
    visitor.press("Add comment")
    visitor.press("Mark as useful")
    assert "1 found this useful" in page.locator("main").inner_text()
    assert "trying this in our practice" in page.locator("#comments ~ div").first.inner_text()
    visitor.check_page("network-post-participant")
    post_url = page.url
    visitor.sign_out()

    visitor.sign_in(ADMIN)
    page.goto(post_url)
    page.fill("#moderate-reason", "Names a patient; please edit and ask us to restore it")
    visitor.press("Hide post")
    assert "Hidden by a moderator" in page.locator("main").inner_text()
    visitor.check_page("network-post-hidden")
    visitor.sign_out()

    visitor.sign_in(PARTICIPANT)
    assert visitor.go(post_url.removeprefix(visitor.base_url)).status == 404
