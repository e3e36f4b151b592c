"""A live server with demo data, and headless Chromium driven by Playwright.

Skipped with a clear message when Chromium or the axe-core package is missing.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from futuredoctor import create_app
from futuredoctor.config import PROJECT_ROOT
from futuredoctor.demo import DEMO_PASSWORD, create_demo_data
from futuredoctor.extensions import db
from futuredoctor.models import Cohort, Enrolment, User
from tests.conftest import make_test_config
from tests.factories import current_cohorts

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


@pytest.fixture(scope="session")
def live_app(sqlite_templates: dict[bool, Path], tmp_path_factory: pytest.TempPathFactory):
    """The real app (CSRF and all) on a copy of the content database, with demo data made
    on the (possibly travelled) day the session runs, plus London's and the South West's
    test cohorts open now (``tests.factories.current_cohorts``)."""
    path = tmp_path_factory.mktemp("live") / "live.db"
    shutil.copyfile(sqlite_templates[True], path)
    app = create_app(make_test_config(f"sqlite:///{path}", WTF_CSRF_ENABLED=True, TESTING=False))
    with app.app_context():
        create_demo_data(DEMO_PASSWORD)
        current_cohorts()
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app: Any):
    """Serve ``live_app`` on a free loopback port. The server thread shares the test
    process's clock, so ``FUTUREDOCTOR_TEST_NOW`` moves it too; Chromium keeps the real
    clock, which is why the app's session cookie carries no expiry date for it to judge."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def demo_cohort(live_app: Any) -> str:
    """The slug of the cohort the demo participant (participant@example.nhs.uk) is in."""
    with live_app.app_context():
        slug = db.session.scalar(
            sa.select(Cohort.slug)
            .join(Enrolment, Enrolment.cohort_id == Cohort.id)
            .join(User, User.id == Enrolment.user_id)
            .where(User.email == "participant@example.nhs.uk")
        )
        db.session.remove()
    assert slug is not None
    return slug


@pytest.fixture
def live_database(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The live server's SQLite file, to read links from the outbox as an inbox would."""
    found = sorted(tmp_path_factory.getbasetemp().glob("live*/live.db"))
    assert found, "live server database not found"
    return found[-1]


def emailed_path(database: Path, email: str, kind: str) -> str:
    """The path of the link in the newest ``kind`` email to ``email``."""
    with sqlite3.connect(database) as conn:
        (payload,) = conn.execute(
            "SELECT n.payload FROM notification n JOIN user_account u ON u.id = n.recipient_id"
            " WHERE n.kind = ? AND u.email = ? ORDER BY n.id DESC LIMIT 1",
            (kind, email),
        ).fetchone()
    return urlsplit(json.loads(payload)["link"]).path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("browser tests skipped: Chromium not installed (apt-get install chromium)")
    if not AXE.exists():
        pytest.skip("browser tests skipped: axe-core missing (run npm ci)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visitor:
    """One person's browser tab, with helpers for signing in and checking a page."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.console: list[str] = []
        page.on("console", lambda message: self.console.append(message.text))

    def go(self, path: str) -> Any:
        return self.page.goto(self.base_url + path)

    def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> None:
        self.go("/sign-in")
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        with self.page.expect_navigation():
            self.page.click("button:has-text('Sign in')")

    def sign_out(self) -> None:
        self.go("/sign-out")
        with self.page.expect_navigation():
            self.page.click("main button:has-text('Sign out')")

    def press(self, label: str) -> None:
        """Press a button in the page's main content and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.click(f"main button:has-text('{label}')")

    def axe_violations(self) -> list[str]:
        self.page.evaluate(AXE.read_text(encoding="utf-8"))
        violations = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
            ".then(r => r.violations.map(v => v.id + ' (' + v.impact + '): '"
            " + v.nodes.map(n => n.target.join(' ')).join(', ')))",
            WCAG_TAGS,
        )
        return list(violations)

    def csp_violations(self) -> list[str]:
        return [m for m in self.console if "Content Security Policy" in m]

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def check_page(self, name: str) -> None:
        """Screenshot, then assert no accessibility or CSP problems on the current page."""
        self.screenshot(name)
        assert self.axe_violations() == [], name
        assert self.csp_violations() == [], name


@pytest.fixture
def visitor(browser: Any, live_server: str) -> Iterator[Visitor]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    yield Visitor(page, live_server)
    context.close()
