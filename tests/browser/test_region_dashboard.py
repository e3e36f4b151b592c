"""The regional lead's GPC coverage table: at 1280 px it fits the page column with no
sideways scroll of its own; at 375 px it reflows into a list per pilot or cohort and the
page does not scroll sideways. Axe-clean at both widths, by pilot and by cohort."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, Visitor

pytestmark = pytest.mark.browser

LEAD = "regional.lead.london@example.nhs.uk"
# [table region's scrollWidth, its clientWidth, the table's own], page scrollWidth, clientWidth
MEASURE = """async () => {
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const region = document.getElementById('gpc-table'), table = region.querySelector('table');
  const root = document.documentElement;
  return [region.scrollWidth, region.clientWidth, table.scrollWidth, table.clientWidth,
          root.scrollWidth, root.clientWidth];
}"""


@pytest.mark.parametrize("view", ["", "?by=cohort"])
def test_gpc_table_fits_a_laptop_and_reflows_on_a_phone(visitor: Visitor, view: str) -> None:
    page = visitor.page
    visitor.sign_in(LEAD)
    assert visitor.go(f"/regions/LON/dashboard{view}").status == 200
    name = "region-dashboard-gpc" + view.replace("?by=", "-by-")

    page.set_viewport_size({"width": 1280, "height": 900})
    region, region_client, table, table_client, scroll, client = page.evaluate(MEASURE)
    assert region <= region_client, f"the GPC table scrolls by {region - region_client}px"
    assert table <= table_client and scroll <= client
    assert page.locator("#gpc-table thead").is_visible()
    assert page.locator("#gpc-table abbr", has_text="GPC6").get_attribute("title") == (
        "Capabilities in patient safety and quality improvement"
    )
    assert page.locator(".app-key", has_text="GPC9").is_visible()
    visitor.screenshot(name + "-1280")
    page.locator("#gpc-table").screenshot(path=str(ARTIFACTS / f"{name}-table-1280.png"))
    assert visitor.axe_violations() == [], "1280"

    page.set_viewport_size({"width": 375, "height": 900})
    *_, scroll, client = page.evaluate(MEASURE)
    visitor.screenshot(name + "-375")
    assert scroll <= client, f"the page scrolls sideways by {scroll - client}px at 375px"
    # Reflowed: each cell names its domain in full, as the column headings are hidden.
    cell = page.locator("#gpc-table tbody tr").first.locator("td").nth(5)
    assert cell.inner_text().startswith("GPC6 Capabilities in patient safety")
    assert not page.locator(".app-key").is_visible()
    assert visitor.axe_violations() == [], "375"
    assert visitor.csp_violations() == []
