"""/metrics: only for the configured token or addresses (404 for anyone else), with request
latency, outbox and scheduler state read from the database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from prometheus_client import REGISTRY

from futuredoctor import clock
from futuredoctor.extensions import db
from futuredoctor.metrics import allowed
from futuredoctor.models import Notification, Role
from futuredoctor.notifications.outbox import queue
from futuredoctor.scheduler import run_job
from tests.factories import make_user

TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def scraper(app: Flask) -> Any:
    app.config["METRICS_TOKEN"] = TOKEN
    return app.test_client()


def _scrape(client: Any) -> str:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _value(text: str, name: str) -> float:
    [line] = [row for row in text.splitlines() if row.startswith(name + " ")]
    return float(line.split()[-1])


@pytest.mark.parametrize(
    "authorization", [None, "Bearer", "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x"]
)
def test_without_the_token_metrics_are_not_found(scraper: Any, authorization: Any) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = scraper.get("/metrics", headers=headers)
    assert response.status_code == 404
    assert "futuredoctor_" not in response.get_data(as_text=True)


def test_with_nothing_configured_nobody_reads_metrics(app: Flask, client: Any) -> None:
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_allowed_addresses() -> None:
    config = {"METRICS_ALLOW": "10.0.0.0/8, 192.168.1.5,not-an-address"}
    assert allowed(config, None, "10.1.2.3")
    assert allowed(config, None, "192.168.1.5")
    assert not allowed(config, None, "192.168.1.6")
    assert not allowed(config, None, "garbage")
    assert not allowed({"METRICS_ALLOW": ""}, None, "127.0.0.1")


def test_a_configured_address_reads_without_a_token(app: Flask, client: Any) -> None:
    app.config["METRICS_ALLOW"] = "127.0.0.1"
    assert client.get("/metrics").status_code == 200


def test_request_latency_by_route_and_status(scraper: Any) -> None:
    labels = {"route": "health.liveness", "method": "GET", "status": "200"}
    before = REGISTRY.get_sample_value("futuredoctor_request_duration_seconds_count", labels)
    scraper.get("/healthz")
    text = _scrape(scraper)
    assert 'route="health.liveness"' in text and 'status="200"' in text
    after = REGISTRY.get_sample_value("futuredoctor_request_duration_seconds_count", labels)
    assert after == (before or 0) + 1
    assert "futuredoctor_db_pool_connections_in_use" in text
    assert 'route="metrics.metrics"' not in text  # the scraper's own visits are not timed


def test_outbox_depth_failures_and_oldest_age(app: Flask, scraper: Any) -> None:
    person = make_user(roles=[(Role.PARTICIPANT, None)])
    db.session.commit()
    for key in ("a", "b", "c"):
        queue("module_released", person.id, f"metrics-{key}", "Title", "Body")
    db.session.commit()
    hour_ago = clock.now() - timedelta(hours=1)
    db.session.execute(
        sa.update(Notification)
        .where(Notification.subject_key == "metrics-a")
        .values(created_at=hour_ago)
    )
    db.session.execute(
        sa.update(Notification)
        .where(Notification.subject_key == "metrics-c")
        .values(failed_at=clock.now())
    )
    db.session.commit()
    text = _scrape(scraper)
    assert _value(text, "futuredoctor_outbox_waiting") == 2
    assert _value(text, "futuredoctor_outbox_failed") == 1
    assert 3590 <= _value(text, "futuredoctor_outbox_oldest_waiting_age_seconds") <= 4000


def test_time_since_each_job_last_succeeded(app: Flask, scraper: Any) -> None:
    text = _scrape(scraper)
    assert (
        'futuredoctor_scheduler_job_last_success_timestamp_seconds{job="queue_digests"} 0.0' in text
    )
    assert run_job(app, "queue_digests") is not None
    text = _scrape(scraper)
    line = next(
        row
        for row in text.splitlines()
        if row.startswith(
            'futuredoctor_scheduler_job_last_success_age_seconds{job="queue_digests"}'
        )
    )
    assert 0 <= float(line.split()[-1]) < 60


def test_csv_imports_are_counted(app: Flask, scraper: Any) -> None:
    import io

    from futuredoctor.models import Pilot
    from tests.helpers import login

    pilot = db.session.scalar(sa.select(Pilot).where(Pilot.slug == "lon-inclusion-health"))
    admin = make_user(roles=[(Role.PILOT_ADMIN, pilot)])
    db.session.commit()
    client = app.test_client()
    login(client, admin)
    before = (
        REGISTRY.get_sample_value(
            "futuredoctor_csv_import_duration_seconds_count", {"outcome": "refused"}
        )
        or 0
    )
    cohort = pilot.cohorts[0].slug
    client.post(
        f"/cohorts/{cohort}/import",
        data={"file": (io.BytesIO(b"not,a,valid,header\r\n"), "people.csv")},
        content_type="multipart/form-data",
    )
    after = REGISTRY.get_sample_value(
        "futuredoctor_csv_import_duration_seconds_count", {"outcome": "refused"}
    )
    assert after == before + 1
