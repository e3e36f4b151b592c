"""Log set-up and the id that ties log lines, audit events and export records together.

Every line carries ``request_id``: the web request's id (see ``request_log``) or a
scheduler job's id, kept in a context variable so code far from the request (the audit
helper, the outbox sender) finds it without being handed it. Production writes one JSON
object a line (python-json-logger) for a log collector; development writes readable text.
Log lines name people only by internal id: never a name, email, form value or token.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

_current_id: ContextVar[str | None] = ContextVar("futuredoctor_request_id", default=None)
# What an incoming X-Request-ID may look like: short, and nothing that could forge a line.
ACCEPTED_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,35}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"


EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def mask_emails(text: str) -> str:
    """For messages that may quote an address (a mail relay's refusal): logs never hold one."""
    return EMAIL.sub("[email]", text)


def new_id() -> str:
    return str(uuid.uuid4())


def accepted_id(value: str | None) -> str | None:
    """An incoming id if it is safe to log and store as given, else None."""
    if value and ACCEPTED_ID.fullmatch(value):
        return value
    return None


def current_id() -> str | None:
    """The id of the request or job this code runs for, if any."""
    return _current_id.get()


def set_current_id(value: str | None) -> Any:
    return _current_id.set(value)


def reset_current_id(token: Any) -> None:
    _current_id.reset(token)


@contextmanager
def job_context(job_id: str | None = None) -> Iterator[str]:
    """Run a scheduler job (or one message of it) under its own id."""
    value = job_id or new_id()
    token = _current_id.set(value)
    try:
        yield value
    finally:
        _current_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record that passes through the handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = _current_id.get() or "-"
        return True


def use_json(config: Any) -> bool:
    wanted = str(config.get("LOG_FORMAT") or "").lower()
    if wanted in {"json", "text"}:
        return wanted == "json"
    return config.get("ENV_NAME") not in {"development", "test"}


def configure_logging(config: Any) -> None:
    """Give the root logger one handler in the chosen format, once per process; a host
    that already set up logging (gunicorn's own config, pytest's capture) is left alone
    except for the level of the app's loggers."""
    logging.getLogger("futuredoctor").setLevel(str(config.get("LOG_LEVEL") or "INFO").upper())
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler()
    formatter: logging.Formatter
    if use_json(config):
        formatter = JsonFormatter(
            JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level"}
        )
    else:
        formatter = logging.Formatter(TEXT_FORMAT)
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
