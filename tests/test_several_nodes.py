"""Several of everything, as a trust deploys it: two gunicorn web nodes and two schedulers
against one PostgreSQL and one Redis, each a real process started here.

The proofs: sign-in throttling counts across both web nodes (the limit is shared in Redis);
a session started on one node works on the other; a release's emails go out once in total
with two schedulers; a CSV import on one node and a capacity change synced at the same time
from another leave consistent rows; stopping one web node and one scheduler mid-work loses
nothing. Timings are printed (``-s``) for docs/deployment.md.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO

import pytest
import requests
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from futuredoctor import clock, create_app
from futuredoctor.config import PROJECT_ROOT
from futuredoctor.content import sync_content
from futuredoctor.extensions import db
from futuredoctor.models import Cohort, Enrolment, EnrolmentStatus, Notification, Role, User
from tests.conftest import make_test_config, pg_database
from tests.factories import make_module, make_release, make_user, shipped_pilot
from tests.processes import (
    Node,
    Scheduler,
    WebNode,
    emails,
    message_ids,
    redis_server,
    scheduler_env,
)
from tests.scheduler.conftest import enrol_participants
from tests.travel import python_command

# One set of nodes for the module: with several test processes it runs in one of them.
pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.xdist_group("several_nodes")]

PASSWORD = "several-nodes-passphrase-2026"
SIGN_IN_LIMIT = 6
COHORT = "lon-several-nodes"
DEADLINE = 120.0
METRICS_TOKEN = "several-nodes-metrics-token"


@dataclass
class Site:
    url: str
    web: list[WebNode]
    mail: Path
    logs: Path
    regions: Path
    admin_email: str

    def scheduler(self, name: str) -> Scheduler:
        return Scheduler(self.url, self.mail, _log(self.logs / f"{name}.log"))

    def count(self, stmt: sa.Select[tuple[int]]) -> int:
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                return int(conn.scalar(stmt) or 0)
        finally:
            engine.dispose()


def _log(path: Path) -> IO[str]:
    return path.open("w")


def _cohort_toml(capacity: int) -> str:
    today = clock.today_uk()
    return (
        "\n[[pilots.cohorts]]\n"
        f'slug = "{COHORT}"\n'
        'name = "Several nodes cohort"\n'
        f"capacity = {capacity}\n"
        f"enrolment_opens = {today - timedelta(days=10)}\n"
        f"enrolment_closes = {today + timedelta(days=30)}\n"
        f"starts_on = {today + timedelta(days=40)}\n"
        f"ends_on = {today + timedelta(days=400)}\n"
        'professional_groups = ["doctor"]\n'
        'career_stages = ["FY1", "FY2"]\n'
    )


def _regions(folder: Path, capacity: int) -> Path:
    """The shipped regions plus one London cohort, dated from today, of ``capacity``."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(PROJECT_ROOT / "regions", folder)
    london = folder / "london.toml"
    london.write_text(london.read_text(encoding="utf-8") + _cohort_toml(capacity))
    return folder


@pytest.fixture(scope="module")
def site(pg_templates: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("several-nodes")
    logs = root / "logs"
    logs.mkdir()
    regions = _regions(root / "regions", capacity=40)
    with pg_database(pg_templates) as url, redis_server() as redis_url:
        app = create_app(make_test_config(url, REGIONS_DIR=str(regions)))
        with app.app_context():
            sync_content(db.session, Path(app.config["CONTENT_DIR"]), regions)
            pilot = shipped_pilot("LON")
            admin = make_user(roles=[(Role.PILOT_ADMIN, pilot)], password=PASSWORD)
            admin_email = admin.email
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        env = {
            **scheduler_env(url, root / "mail"),
            "FUTUREDOCTOR_ENV": "development",
            "FUTUREDOCTOR_REGIONS_DIR": str(regions),
            "FUTUREDOCTOR_RATELIMIT_STORAGE_URI": redis_url,
            "FUTUREDOCTOR_LOGIN_RATE_LIMIT": f"{SIGN_IN_LIMIT} per minute",
            "FUTUREDOCTOR_PROXY_HOPS": "1",  # the balancer's X-Forwarded-For names the client
            "FUTUREDOCTOR_METRICS_TOKEN": METRICS_TOKEN,
        }
        web = []
        for n in (1, 2):
            metrics = root / f"metrics-{n}"  # each node's workers add up their metrics here
            metrics.mkdir()
            node_env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
            web.append(WebNode(node_env, _log(logs / f"web-{n}.log")))
        try:
            for node in web:
                node.start()
            yield Site(url, web, root / "mail", logs, regions, admin_email)
        finally:
            for node in web:
                node.stop()


class Browser:
    """One person's browser behind the balancer: its own client address, one cookie jar,
    any request sent to whichever web node the test names."""

    def __init__(self, address: str) -> None:
        self.http = requests.Session()
        self.http.headers["X-Forwarded-For"] = address

    def csrf(self, node: WebNode, path: str) -> str:
        page = self.http.get(f"{node.url}{path}", timeout=10)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        assert match, f"no form on {path} ({page.status_code})"
        return match.group(1)

    def post(self, node: WebNode, path: str, data: dict[str, str], **kwargs) -> requests.Response:
        data = {"csrf_token": self.csrf(node, path), **data}
        return self.http.post(
            f"{node.url}{path}", data=data, allow_redirects=False, timeout=30, **kwargs
        )

    def sign_in(self, node: WebNode, email: str, password: str) -> requests.Response:
        return self.post(node, "/sign-in", {"email": email, "password": password})


def test_sign_in_limit_counts_across_both_web_nodes(site: Site) -> None:
    """With per-process counting each node would allow the limit, and each of its workers
    too; shared in Redis, the limit holds for the client whichever node it reaches."""
    a, b = site.web
    browser = Browser("203.0.113.10")
    statuses = [
        browser.sign_in((a, b)[n % 2], "nobody@example.nhs.uk", "wrong-password").status_code
        for n in range(SIGN_IN_LIMIT)
    ]
    assert statuses == [400] * SIGN_IN_LIMIT
    assert browser.sign_in(a, "nobody@example.nhs.uk", "wrong-password").status_code == 429
    assert browser.sign_in(b, "nobody@example.nhs.uk", "wrong-password").status_code == 429
    # Another client behind the same balancer is not held back by the first one's limit,
    # and a session started on one node is good on the other.
    other = Browser("203.0.113.11")
    assert other.sign_in(b, site.admin_email, PASSWORD).status_code == 302
    assert other.http.get(f"{a.url}/cohorts/{COHORT}/roster", timeout=10).status_code == 200


def _people(start: int, count: int) -> list[dict[str, str]]:
    return [
        {
            "email": f"node.person{n}@example.nhs.uk",
            "given_name": "Node",
            "family_name": f"Person {n}",
            "professional_group": "doctor",
            "registration_body": "GMC",
            "registration_number": f"{7_100_000 + n}",
            "career_stage": "FY1",
            "employer": "Example NHS Foundation Trust",
            "cohort": COHORT,
        }
        for n in range(start, start + count)
    ]


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _seats(site: Site) -> tuple[int, int, int]:
    """(capacity, places given, waitlisted) of the test cohort."""
    cohort_id = sa.select(Cohort.id).where(Cohort.slug == COHORT).scalar_subquery()
    capacity = site.count(sa.select(Cohort.capacity).where(Cohort.slug == COHORT))
    given = site.count(
        sa.select(sa.func.count()).where(
            Enrolment.cohort_id == cohort_id,
            Enrolment.status.in_((EnrolmentStatus.ENROLLED, EnrolmentStatus.INVITED)),
        )
    )
    waitlisted = site.count(
        sa.select(sa.func.count()).where(
            Enrolment.cohort_id == cohort_id, Enrolment.status == EnrolmentStatus.WAITLISTED
        )
    )
    return capacity, given, waitlisted


def test_csv_import_and_a_capacity_change_at_once_leave_consistent_rows(site: Site) -> None:
    """Node one imports 30 people into a cohort of 40 while a content sync on another
    machine shrinks it to 20. Whichever takes the cohort lock first, no place is given
    beyond the capacity in force, and neither is half-written."""
    a, _ = site.web
    browser = Browser("203.0.113.20")
    assert browser.sign_in(a, site.admin_email, PASSWORD).status_code == 302
    smaller = _regions(site.regions.with_name("regions-smaller"), capacity=20)
    sync = Node(
        python_command("flask", "content", "sync"),
        {**site.web[1].env, "FUTUREDOCTOR_REGIONS_DIR": str(smaller)},
        _log(site.logs / "sync.log"),
    )
    path = f"/cohorts/{COHORT}/import"
    token = browser.csrf(a, path)
    answers: list[requests.Response] = []

    def upload() -> None:
        answers.append(
            browser.http.post(
                f"{a.url}{path}",
                data={"csrf_token": token, "waitlist_overflow": "y"},
                files={"file": ("people.csv", _csv(_people(0, 30)), "text/csv")},
                allow_redirects=False,
                timeout=60,
            )
        )

    importer = threading.Thread(target=upload)
    importer.start()
    sync.start()
    importer.join(timeout=60)
    assert sync.process is not None
    sync_code = sync.process.wait(timeout=60)
    [answer] = answers
    assert answer.status_code == 302, answer.text[:500]
    capacity, given, waitlisted = _seats(site)
    print(f"capacity {capacity}, places given {given}, waitlisted {waitlisted}, sync {sync_code}")
    assert given + waitlisted == 30  # the whole file, nothing half-written
    assert given <= capacity
    if sync_code == 0:  # the sync took the lock first: the file filled 20 and waitlisted 10
        assert (capacity, given, waitlisted) == (20, 20, 10)
    else:  # the import took it first: the shrink below 30 places given was refused
        assert (capacity, given, waitlisted) == (40, 30, 0)
        assert "fewer than the 30 places already given" in (site.logs / "sync.log").read_text()


def _wait(condition, what: str) -> None:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < DEADLINE, f"timed out waiting for {what}"
        time.sleep(0.05)


def _due_release(site: Site, participants: int) -> set[str]:
    """A release that fell due a minute ago to a new cohort of ``participants``."""
    app = create_app(make_test_config(site.url))
    with app.app_context():
        from tests.factories import make_cohort

        cohort = make_cohort(shipped_pilot("SW"), capacity=participants)
        enrol_participants(cohort, participants)
        make_release(make_module().latest, cohort, days_from_now=-1 / 1440)
        db.session.commit()
        recipients = set(
            db.session.scalars(
                sa.select(User.id).join(Enrolment).where(Enrolment.cohort_id == cohort.id)
            )
        )
        db.session.remove()
        db.engine.dispose()
    return recipients


def _sent_ids(site: Site) -> set[str]:
    engine = sa.create_engine(site.url)
    try:
        with engine.connect() as conn:
            ids = conn.scalars(sa.select(Notification.id).where(Notification.sent_at.is_not(None)))
            return {f"<notification-{n}@futuredoctor.invalid>" for n in ids}
    finally:
        engine.dispose()


def test_two_schedulers_send_a_release_once_and_one_stopping_loses_nothing(site: Site) -> None:
    """Two schedulers poll the same outbox. One is stopped (SIGTERM, as an orchestrator
    stops a node) a third of the way through; the other finishes. Every participant gets
    exactly one email, bar at most the one message in flight when the node stopped."""
    shutil.rmtree(site.mail, ignore_errors=True)
    recipients = _due_release(site, participants=300)
    first, second = site.scheduler("scheduler-1"), site.scheduler("scheduler-2")
    started = time.monotonic()
    first.start()
    second.start()
    try:
        _wait(lambda: emails(site.mail) >= len(recipients) // 3, "a third of the emails")
        assert first.stop() == 0
        waiting = sa.select(sa.func.count()).where(Notification.sent_at.is_(None))
        _wait(lambda: site.count(waiting) == 0, "the outbox to empty")
        elapsed = time.monotonic() - started
        assert second.alive()
    finally:
        first.stop()
        second.stop()
    counts = message_ids(site.mail)
    queued = site.count(
        sa.select(sa.func.count()).where(
            Notification.recipient_id.in_(recipients), Notification.kind == "module_released"
        )
    )
    assert queued == len(recipients)  # one notification each, though two schedulers queued
    assert set(counts) == _sent_ids(site)
    duplicates = sum(counts.values()) - len(counts)
    print(f"{len(counts)} emails by two schedulers in {elapsed:.1f} s, {duplicates} repeated")
    assert duplicates <= 1


def test_stopping_a_web_node_mid_work_loses_nothing(site: Site) -> None:
    """A pilot administrator enrols people one at a time through the balancer. Half way,
    node one is stopped; the balancer sends what node one refuses to node two. Every
    enrolment the administrator was told about is there once, and the session carries on."""
    a, b = site.web
    browser = Browser("203.0.113.30")
    assert browser.sign_in(a, site.admin_email, PASSWORD).status_code == 302
    path = f"/cohorts/{COHORT}/enrol"
    acknowledged: list[str] = []
    retried = 0
    people = _people(100, 24)
    for n, person in enumerate(people):
        if n == len(people) // 2:
            a.process.terminate()  # type: ignore[union-attr]  (gunicorn: graceful stop)
        fields = {k: v for k, v in person.items() if k != "cohort"}
        try:
            answer = browser.post(a, path, fields)
        except requests.ConnectionError:
            retried += 1
            answer = browser.post(b, path, fields)
        assert answer.status_code == 302, answer.text[:500]
        acknowledged.append(person["email"])
    assert a.process is not None and a.process.wait(timeout=20) == 0
    assert retried >= len(people) // 2 - 1
    stored = site.count(
        sa.select(sa.func.count())
        .select_from(Enrolment)
        .join(User)
        .where(User.email.in_(acknowledged))
    )
    assert stored == len(acknowledged)
    assert browser.http.get(f"{b.url}/cohorts/{COHORT}/roster", timeout=10).status_code == 200
    a.start()  # the node comes back and serves the same session
    assert browser.http.get(f"{a.url}/cohorts/{COHORT}/roster", timeout=10).status_code == 200


def _liveness_checks_counted(node: WebNode) -> float:
    answer = requests.get(
        f"{node.url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10
    )
    assert answer.status_code == 200
    return sum(
        sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
        if sample.name == "futuredoctor_request_duration_seconds_count"
        and sample.labels.get("route") == "health.liveness"
    )


def test_a_nodes_metrics_add_up_over_its_workers(site: Site) -> None:
    """Each scrape reaches one of two workers; with the multiprocess folder every scrape
    reports the node's total, not whichever worker answered."""
    _, b = site.web
    before = _liveness_checks_counted(b)
    for _ in range(20):
        assert requests.get(f"{b.url}/healthz", timeout=10).status_code == 200
    scrapes = {_liveness_checks_counted(b) for _ in range(6)}
    assert scrapes == {before + 20}


def test_nodes_wrote_no_errors(site: Site) -> None:
    for log in site.logs.glob("web-*.log"):
        text = log.read_text()
        assert "Traceback" not in text, f"{log.name}:\n{text[-3000:]}"
