"""Check the page a journey is on at a phone width and a laptop width, as the page-width
sweep does for every role's landing pages, so pages reached through a form are held to the
same rule: no sideways page scroll and no axe-core violation at either width."""

from __future__ import annotations

from tests.browser.conftest import Visitor

WIDTHS = (375, 1280)

# Open every collapsed section and let layout settle before measuring.
PAGE_WIDTH = """async () => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  return [document.documentElement.scrollWidth, document.documentElement.clientWidth];
}"""


def check_both_widths(visitor: Visitor, name: str) -> None:
    """Screenshot ``name`` at each width and assert the page fits and passes axe; leaves the
    tab at the laptop width."""
    page = visitor.page
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        scroll, client = page.evaluate(PAGE_WIDTH)
        visitor.screenshot(f"{name}-{width}")
        assert scroll <= client, f"{name} scrolls sideways by {scroll - client}px at {width}px"
        assert visitor.axe_violations() == [], f"{name} at {width}px"
    assert visitor.csp_violations() == [], name
