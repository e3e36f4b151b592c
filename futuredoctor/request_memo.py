"""Answers kept for the rest of one request, when a page asks the same thing twice.

Kept in the request's WSGI environment rather than in ``flask.g``: ``g`` belongs to the
application context, which an app context pushed around several requests (a test, a
command) shares between them, so an answer, or an object of a closed session, would
outlive its request.
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

_KEY = "futuredoctor.request_memo"


def request_memo(name: str) -> dict[Any, Any]:
    """The current request's dict called ``name`` (a fresh, unkept one outside a
    request)."""
    if not has_request_context():
        return {}
    kept: dict[str, dict[Any, Any]] = request.environ.setdefault(_KEY, {})
    return kept.setdefault(name, {})
