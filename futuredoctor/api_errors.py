"""The API's error shape, shared by the evaluation API and the app-wide error handlers."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify


def api_error(status: int, code: str, message: str, **extra: Any) -> Response:
    """``{"error": {"status", "code", "message", ...}}``, never cached; a 401 says how to
    authenticate."""
    response = jsonify(error={"status": status, "code": code, "message": message, **extra})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="futuredoctor", error="invalid_token"'
    response.headers["Cache-Control"] = "no-store"
    return response
