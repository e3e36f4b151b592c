"""Health checks for load balancers and orchestrators, outside any session.

``/healthz`` is liveness: the process answers, nothing else is touched, so a database
outage never gets healthy web workers restarted. ``/healthz/ready`` is readiness: a
``SELECT 1`` on a pooled connection with a short deadline, so a balancer stops sending
traffic to an instance that cannot reach its database (503 naming the failed check) and
sends it again when it can.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify
from werkzeug.wrappers import Response

from futuredoctor.extensions import db
from futuredoctor.permissions import public

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 2.0  # seconds; balancers usually wait about five
_checks = ThreadPoolExecutor(max_workers=2, thread_name_prefix="readiness")


def _no_store(response: Response, status: int = 200) -> Response:
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
@public
def liveness() -> Response:
    return _no_store(jsonify(status="ok"))


def _select_one(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1")).scalar_one()


@bp.get("/healthz/ready")
@public
def readiness() -> Response:
    """The deadline is kept by running the query beside the request: a connection attempt
    to a host that has vanished can otherwise wait for the operating system's timeout."""
    timeout = float(current_app.config.get("HEALTH_CHECK_TIMEOUT", DEFAULT_TIMEOUT))
    check = _checks.submit(_select_one, db.engine)
    try:
        check.result(timeout=timeout)
    except FutureTimeout:
        problem = f"no answer within {timeout:g} s"
    except Exception as error:
        log.warning("Readiness check failed: %s", error)
        problem = type(error).__name__
    else:
        return _no_store(jsonify(status="ok", checks={"database": "ok"}))
    return _no_store(jsonify(status="unavailable", checks={"database": problem}), 503)
