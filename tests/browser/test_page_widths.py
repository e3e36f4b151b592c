"""Every role's pages at a phone width (375 px) and a laptop width (1280 px): no sideways
page scroll with every collapsed section open, and no axe-core (WCAG 2.2 A/AA) violation.

One journey per role that loads each page once and checks it at both widths, to keep CI
time low; one test per role lets parallel workers share the roles.
Wide tables reflow or scroll inside their own focusable region, which is allowed.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import Visitor

pytestmark = pytest.mark.browser

WIDTHS = (375, 1280)
SLUG = "shared-decision-making"

# role: (demo account, pages); {cohort} is the demo participant's cohort.
PAGES = {
    "participant": (
        "participant@example.nhs.uk",
        [
            "/",
            "/my-learning",
            "/modules",
            f"/modules/{SLUG}",
            f"/modules/{SLUG}/feedback",
            f"/modules/{SLUG}/reflection",
            "/my-learning/reflections",
            "/my-learning/gpc-coverage",
            "/my-learning/completion-record",
            "/account",
            "/account/research-consent",
            "/notifications",
            "/notifications/preferences",
            "/verify",
        ],
    ),
    "lead_educator": (
        "lead.educator.london@example.nhs.uk",
        [
            "/",
            "/feedback",
            "/feedback/ratings",
            f"/feedback/ratings/{SLUG}",
            "/codesign",
            "/contributors",
            "/contributors/new",
            "/feedback/new",
            f"/modules/{SLUG}/versions/new",
            f"/modules/{SLUG}/changes",
            "/releases/new",
            "/pilots/lon-inclusion-health/learners",
            "/network/following",
        ],
    ),
    "pilot_admin": (
        "pilot.admin.london@example.nhs.uk",
        [
            "/",
            "/pilots",
            "/pilots/lon-inclusion-health",
            "/cohorts/{cohort}",
            "/cohorts/{cohort}/roster",
            "/cohorts/{cohort}/import",
            "/cohorts/{cohort}/enrol",
            "/join-requests",
            "/pending-invitations",
        ],
    ),
    "regional_lead": (
        "regional.lead.london@example.nhs.uk",
        [
            "/",
            "/regions/LON",
            "/regions/LON/dashboard",
            "/regions/LON/dashboard?by=cohort",
            "/releases",
            "/releases/list",
            "/releases/preview",
            "/network/moderation",
            "/network/moderation?show=hidden",
        ],
    ),
    "evaluator": (
        "evaluator@example.nhs.uk",
        [
            "/",
            "/evaluation/",
            "/evaluation/tokens",
            "/evaluation/my-exports",
            "/evaluation/data-dictionary",
            "/api/v1/docs",
        ],
    ),
    "champion": ("champion.southwest@example.nhs.uk", ["/", "/network/following"]),
    "national_admin": (
        "national.admin@example.nhs.uk",
        [
            "/",
            "/admin/users",
            "/admin/users/new",
            "/admin/users/1",
            "/admin/audit",
            "/admin/outbox",
            "/admin/closure-requests",
            "/evaluation/exports",
            "/national",
            "/regions/SW/dashboard",
        ],
    ),
}

# Open every collapsed section, let layout settle, then measure the page and name the
# outermost elements that stick out of it (outside any scrolling region).
OPEN_AND_MEASURE = """async () => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const root = document.documentElement, w = root.clientWidth;
  const clipped = e => {
    for (let a = e.parentElement; a; a = a.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return true;
    }
    return false;
  };
  const wide = [...document.querySelectorAll('body *')].filter(e =>
    e.getBoundingClientRect().right > w + 1 && !clipped(e)
    && e.parentElement.getBoundingClientRect().right <= w + 1);
  const name = e => e.tagName + '.' + (e.className.baseVal ?? e.className);
  const text = e => e.textContent.trim().slice(0, 30);
  return [root.scrollWidth, w, wide.slice(0, 3).map(e => name(e) + ': ' + text(e))];
}"""


@pytest.mark.parametrize("role", PAGES)
def test_every_roles_pages_fit_both_widths_and_pass_axe(
    visitor: Visitor, demo_cohort: str, role: str
) -> None:
    page = visitor.page
    problems: list[str] = []
    email, paths = PAGES[role]
    visitor.sign_in(email)
    for path in (p.format(cohort=demo_cohort) for p in paths):
        response = visitor.go(path)
        if response is None or response.status != 200:
            problems.append(f"{role} {path}: status {response and response.status}")
            continue
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            scroll, client, wide = page.evaluate(OPEN_AND_MEASURE)
            if width == 375 or scroll > client:
                visitor.screenshot(f"width-{width}-{role}{path.replace('/', '-')}")
            if scroll > client:
                problems.append(
                    f"{role} {path} at {width}px scrolls by {scroll - client}px: {wide}"
                )
            violations = visitor.axe_violations()
            if violations:
                problems.append(f"{role} {path} at {width}px: {violations}")
    assert visitor.csp_violations() == []
    assert problems == [], "\n".join(problems)
