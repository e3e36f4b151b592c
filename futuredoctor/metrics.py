"""Prometheus metrics at ``/metrics``, for the operations team's scraper only.

Access: a bearer token equal to ``FUTUREDOCTOR_METRICS_TOKEN``, or a client address inside
``FUTUREDOCTOR_METRICS_ALLOW`` (comma-separated addresses or networks). Anyone else gets
404, as if there were nothing here. With neither set, nobody can read it.

Two kinds of metric:

- Counted in the process (request latency, pool use, export and CSV import durations).
  Gunicorn runs several workers and a scrape reaches one of them, so set
  ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory per start: prometheus-client then
  writes each worker's values there and this page adds them up.
- Read from the database at scrape time (outbox depth, failed messages, the oldest waiting
  message's age, when each scheduler job last succeeded): the same answer from every
  worker, and true even when the scheduler is down, which is when it matters.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from futuredoctor import clock
from futuredoctor.extensions import db

bp = Blueprint("metrics", __name__)

REQUEST_SECONDS = Histogram(
    "futuredoctor_request_duration_seconds",
    "Time to answer a request, by route (endpoint name), method and status.",
    ["route", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
POOL_IN_USE = Gauge(
    "futuredoctor_db_pool_connections_in_use",
    "Database connections checked out of the pool, summed over live processes.",
    multiprocess_mode="livesum",
)
EXPORT_SECONDS = Histogram(
    "futuredoctor_export_duration_seconds",
    "Evaluation exports from start to last byte, by channel and outcome.",
    ["channel", "outcome"],
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
IMPORT_SECONDS = Histogram(
    "futuredoctor_csv_import_duration_seconds",
    "CSV enrolment uploads from receipt to answer, by outcome (imported or refused).",
    ["outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
# Not request latency: the scraper's own visits and static files.
UNTIMED_ROUTES = frozenset({"metrics.metrics", "static", None})


def init_metrics(app: Flask) -> None:
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        sa.event.listen(engine.pool, "checkout", _checked_out)
        sa.event.listen(engine.pool, "checkin", _checked_in)


def _checked_out(*args: Any) -> None:
    POOL_IN_USE.inc()


def _checked_in(*args: Any) -> None:
    POOL_IN_USE.dec()


def observe_request(route: str | None, method: str, status: int, seconds: float) -> None:
    if route in UNTIMED_ROUTES:
        return
    REQUEST_SECONDS.labels(route or "unmatched", method, str(status)).observe(seconds)


class DatabaseCollector(Collector):
    """Outbox and scheduler state, read from the database when scraped."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from futuredoctor.models import Notification, SchedulerJobRun
        from futuredoctor.notifications.delivery import waiting
        from futuredoctor.scheduler import JOBS

        now = clock.now()
        session = db.session
        waiting_count, oldest = session.execute(
            sa.select(sa.func.count(), sa.func.min(Notification.created_at)).where(waiting())
        ).one()
        failed = session.scalar(
            sa.select(sa.func.count()).where(
                Notification.failed_at.is_not(None), Notification.discarded_at.is_(None)
            )
        )
        yield GaugeMetricFamily(
            "futuredoctor_outbox_waiting", "Notifications waiting to be emailed.", waiting_count
        )
        yield GaugeMetricFamily(
            "futuredoctor_outbox_failed",
            "Notifications given up and neither retried nor discarded (the outbox page).",
            failed or 0,
        )
        age = (now - _aware(oldest)).total_seconds() if oldest is not None else 0.0
        yield GaugeMetricFamily(
            "futuredoctor_outbox_oldest_waiting_age_seconds",
            "Age of the oldest notification still waiting (0 when none waits).",
            max(age, 0.0),
        )
        runs = {row.name: row for row in session.scalars(sa.select(SchedulerJobRun))}
        since = GaugeMetricFamily(
            "futuredoctor_scheduler_job_last_success_age_seconds",
            "Seconds since each scheduler job last succeeded (absent: never).",
            labels=["job"],
        )
        stamp = GaugeMetricFamily(
            "futuredoctor_scheduler_job_last_success_timestamp_seconds",
            "When each scheduler job last succeeded, as a Unix time (0: never).",
            labels=["job"],
        )
        for name in JOBS:
            run = runs.get(name)
            succeeded = _aware(run.last_succeeded_at) if run and run.last_succeeded_at else None
            stamp.add_metric([name], succeeded.timestamp() if succeeded else 0.0)
            if succeeded is not None:
                since.add_metric([name], max((now - succeeded).total_seconds(), 0.0))
        yield since
        yield stamp


def _aware(moment: Any) -> Any:
    from datetime import UTC

    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _process_registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    return REGISTRY


def allowed(config: Any, authorization: str | None, address: str | None) -> bool:
    """The configured token as a bearer token, or an address in the allowed networks."""
    token = config.get("METRICS_TOKEN") or ""
    scheme, _, given = (authorization or "").partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token):
        return True
    if not address:
        return False
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in str(config.get("METRICS_ALLOW") or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        try:
            if client in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def metrics_token_required(view: Any) -> Any:
    """Public to the session machinery; the view checks the token or address itself."""
    view.access_rule = ("public", "metrics-token")
    return view


@bp.get("/metrics")
@metrics_token_required
def metrics() -> Response:
    if not allowed(current_app.config, request.headers.get("Authorization"), request.remote_addr):
        abort(404)
    scraped = CollectorRegistry()
    scraped.register(DatabaseCollector())
    body = generate_latest(_process_registry()) + generate_latest(scraped)
    response = Response(body, mimetype=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response
