"""A lead educator previews a new module version before publishing: the content being
typed is shown rendered and sanitised, everything entered stays in the form, and nothing is
published. The preview is a plain form button, so it works with JavaScript turned off."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Visitor
from tests.browser.widths import check_both_widths

pytestmark = pytest.mark.browser

EDUCATOR = "lead.educator.london@example.nhs.uk"
SLUG = "shared-decision-making"
ADDED = "\n\n## Deciding with an interpreter\n\nCheck **understanding**, not agreement.\n\n"
SCRIPT = "<script>document.title = 'run'</script>"


def _preview(visitor: Visitor) -> None:
    page = visitor.page
    visitor.go(f"/modules/{SLUG}/versions/new")
    heading = page.locator("h1").inner_text()
    page.fill("#title", "Shared decisions with interpreters")
    body = page.locator("#body")
    body.fill(body.input_value() + ADDED + SCRIPT)
    page.fill("#changelog", "Added deciding with an interpreter.")
    with page.expect_navigation():
        page.click("button:has-text('Preview')")
    preview = page.locator(".app-preview")
    assert page.url.endswith("#preview-heading")  # back at the preview, not the top
    assert preview.locator("h2", has_text="Deciding with an interpreter").count() == 1
    assert preview.locator("strong").get_by_text("understanding", exact=True).count() == 1
    assert preview.locator("script").count() == 0 and SCRIPT in preview.inner_text()
    # Everything typed is still there; the page still offers the same version to publish.
    assert page.input_value("#title") == "Shared decisions with interpreters"
    assert page.input_value("#body").endswith(ADDED + SCRIPT)
    assert page.input_value("#changelog") == "Added deciding with an interpreter."
    assert page.locator("h1").inner_text() == heading


def test_educator_previews_markdown_before_publishing(visitor: Visitor, browser: Any) -> None:
    visitor.sign_in(EDUCATOR)
    _preview(visitor)
    assert visitor.page.title() != "run"
    top = visitor.page.evaluate(
        "document.getElementById('preview-heading').getBoundingClientRect().top"
    )
    assert -1 < top < 900, "the preview is in view"
    check_both_widths(visitor, "version-preview")
    visitor.go(f"/modules/{SLUG}")
    assert "Shared decisions with interpreters" not in visitor.page.locator("h1").inner_text()

    # The same with JavaScript turned off: the preview is the server's, not a script's.
    context = browser.new_context(java_script_enabled=False)
    try:
        no_script = Visitor(context.new_page(), visitor.base_url)
        no_script.sign_in(EDUCATOR)
        _preview(no_script)
    finally:
        context.close()
