"""Optional error reporting through Sentry, on only when ``FUTUREDOCTOR_SENTRY_DSN`` is set.

What leaves the service is an error's type, its stack (file, function, line: no local
variables), the route, the request id and the signed-in person's internal id. Everything
that can hold personal data is dropped or blanked in ``scrub`` before sending: request
bodies, form values, cookies, headers, query strings, exception messages (an integrity
error's message holds the row's values), log arguments and breadcrumb data; any email
address left in a string is masked. The request id sent with the event finds the full
log line.
"""

from __future__ import annotations

import re
from typing import Any

from futuredoctor.request_log import request_id

EMAIL = re.compile(r"[^\s@<>\"']+@[^\s@<>\"']+")
KEPT_HEADERS = frozenset({"User-Agent", "Content-Type", "Content-Length", "Accept"})
REDACTED = "[redacted]"


def sentry_options(config: Any) -> dict[str, Any]:
    from sentry_sdk.integrations.flask import FlaskIntegration

    return {
        "dsn": config.get("SENTRY_DSN"),
        "environment": config.get("ENV_NAME"),
        "integrations": [FlaskIntegration()],
        "include_local_variables": False,
        "max_request_body_size": "never",
        "traces_sample_rate": 0,
        "before_send": scrub,
        "before_breadcrumb": _scrub_breadcrumb,
    }


def init_error_reporting(config: Any, **overrides: Any) -> bool:
    """Start Sentry when a DSN is configured; True if it was started."""
    if not config.get("SENTRY_DSN"):
        return False
    import sentry_sdk

    sentry_sdk.init(**{**sentry_options(config), **overrides})
    return True


def scrub(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Keep what finds the error; drop what could name a person (see the module doc)."""
    request = event.get("request")
    if isinstance(request, dict):
        headers = request.get("headers") or {}
        event["request"] = {
            "method": request.get("method"),
            "url": _without_query(str(request.get("url") or "")),
            "headers": {k: v for k, v in headers.items() if k in KEPT_HEADERS},
        }
    user = event.get("user")
    event["user"] = {"id": user["id"]} if isinstance(user, dict) and user.get("id") else {}
    for exception in (event.get("exception") or {}).get("values") or []:
        exception["value"] = REDACTED
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        logentry.pop("params", None)
        event["logentry"] = {"message": _mask(str(logentry.get("message") or ""))}
    event.pop("extra", None)
    breadcrumbs = event.get("breadcrumbs")
    if isinstance(breadcrumbs, dict):
        breadcrumbs["values"] = [_scrub_breadcrumb(b) for b in breadcrumbs.get("values") or []]
    tags = event.setdefault("tags", {})
    reference = request_id()
    if reference:
        tags["request_id"] = reference
    return _masked(event)


def _scrub_breadcrumb(crumb: dict[str, Any], hint: Any = None) -> dict[str, Any]:
    kept: dict[str, Any] = {
        k: crumb[k] for k in ("type", "category", "level", "timestamp") if k in crumb
    }
    if crumb.get("message"):
        kept["message"] = _mask(str(crumb["message"]))
    return kept


def _without_query(url: str) -> str:
    return url.split("?", 1)[0]


def _mask(text: str) -> str:
    return EMAIL.sub(REDACTED, text)


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return _mask(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value
