"""Study pseudonyms: a keyed hash of the participant id under a per-study secret.

The secret lives outside the database (environment or a file), so someone holding a copy
of the database cannot recompute pseudonyms, and a package is meaningless outside the
study. The same secret gives the same pseudonym in every export, so evaluators can link
packages over time.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app

from futuredoctor.config import DEV_STUDY_SECRET

MIN_STUDY_SECRET_LENGTH = 32


class ExportUnavailable(RuntimeError):
    """Exports cannot run: the study secret is missing or unsafe for this environment."""


def study_secret() -> bytes:
    """The configured study secret, refusing a missing or development one in production."""
    secret = current_app.config.get("STUDY_SECRET") or ""
    if current_app.config.get("ENV_NAME") == "production" and (
        secret == DEV_STUDY_SECRET or len(secret) < MIN_STUDY_SECRET_LENGTH
    ):
        secret = ""
    if not secret:
        raise ExportUnavailable(
            "Evaluation exports are switched off: the study secret "
            "(FUTUREDOCTOR_STUDY_SECRET or FUTUREDOCTOR_STUDY_SECRET_FILE) is not set."
        )
    return secret.encode("utf-8")


def pseudonym(secret: bytes, user_id: int) -> str:
    """HMAC-SHA256 of the participant id, as 64 hex characters."""
    return hmac.new(secret, f"participant:{user_id}".encode(), hashlib.sha256).hexdigest()
