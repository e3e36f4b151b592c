"""One log line per request, and the request id returned in ``X-Request-ID``.

The line also gives the time spent in database statements, and with ``SERVER_TIMING`` on
the response says the same in a ``Server-Timing`` header (database and whole request), so
a browser's developer tools or a benchmark can tell a slow query from slow rendering.

The id comes from the client's ``X-Request-ID`` only behind a trusted proxy
(``PROXY_HOPS`` > 0, the same trust ``X-Forwarded-For`` gets) and only when it is short and
plain; anything else (no proxy, a newline, 10 KB) is replaced by a fresh id, so a client
cannot forge log lines. The line names the route (``auth.login``), never the raw path with
its ids, and the person by internal id or ``anonymous``: no names, emails or form values.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import sqlalchemy as sa
from flask import Flask, g, has_request_context, request
from werkzeug.wrappers import Response

from futuredoctor import logs
from futuredoctor.extensions import db
from futuredoctor.metrics import observe_request

log = logging.getLogger("futuredoctor.requests")
HEADER = "X-Request-ID"
_CONTEXT = "futuredoctor.request_id_context"
_STARTED = "futuredoctor.statement_started"


def request_id() -> str | None:
    """The current request's id (None outside a dispatched request)."""
    if has_request_context() and g.get("request_id"):
        return str(g.request_id)
    return logs.current_id()


def init_request_log(app: Flask) -> None:
    """Call right after ``db.init_app``, so the clock starts before any other hook."""
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        sa.event.listen(engine, "before_cursor_execute", _count_query)
        sa.event.listen(engine, "after_cursor_execute", _time_query)

    @app.before_request
    def _start() -> None:
        trusted = app.config["PROXY_HOPS"] > 0
        incoming = logs.accepted_id(request.headers.get(HEADER)) if trusted else None
        g.request_id = incoming or logs.new_id()
        g.request_started = time.perf_counter()
        g.query_count = 0
        g.query_ms = 0.0
        request.environ[_CONTEXT] = logs.set_current_id(g.request_id)

    @app.after_request
    def _finish(response: Response) -> Response:
        if "request_id" not in g:  # a hook before ours answered: still give an id
            g.request_id = logs.new_id()
        response.headers[HEADER] = g.request_id
        fields = _log_line(response.status_code)
        if app.config.get("SERVER_TIMING") and fields["duration_ms"] is not None:
            response.headers["Server-Timing"] = (
                f'db;dur={fields["db_ms"]};desc="{fields["queries"]} statements", '
                f'app;dur={fields["duration_ms"]}'
            )
        return response

    @app.teardown_request
    def _forget(exc: BaseException | None) -> None:
        token = request.environ.pop(_CONTEXT, None)
        if token is not None:
            try:
                logs.reset_current_id(token)
            except ValueError:  # set in another context (a streamed body's)
                logs.set_current_id(None)


def _count_query(conn: Any, *args: Any) -> None:
    if has_request_context() and "query_count" in g:
        g.query_count += 1
        conn.info[_STARTED] = time.perf_counter()


def _time_query(conn: Any, *args: Any) -> None:
    started = conn.info.pop(_STARTED, None)
    if started is not None and has_request_context() and "query_ms" in g:
        g.query_ms += (time.perf_counter() - started) * 1000


def _user_id() -> str:
    """Internal id of the signed-in person, read from the identity map: this runs after the
    door's commit, where touching an expired attribute would open a new transaction."""
    state = sa.inspect(g.get("_login_user"), raiseerr=False)
    identity = getattr(state, "identity", None)
    return str(identity[0]) if identity else "anonymous"


def _log_line(status: int) -> dict[str, Any]:
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    route = request.endpoint or "unmatched"
    fields = {
        "request_id": g.request_id,
        "method": request.method,
        "route": route,
        "rule": request.url_rule.rule if request.url_rule else None,
        "status": status,
        "duration_ms": duration_ms,
        "queries": g.get("query_count", 0),
        "db_ms": round(g.get("query_ms", 0.0), 1),
        "user": _user_id(),
    }
    g.request_log_fields = fields
    if duration_ms is not None:
        observe_request(request.endpoint, request.method, status, duration_ms / 1000)
    log.info(
        "%s %s %s %sms %s queries (db %sms) user=%s",
        fields["method"],
        route,
        status,
        duration_ms,
        fields["queries"],
        fields["db_ms"],
        fields["user"],
        extra=fields,
    )
    return fields
