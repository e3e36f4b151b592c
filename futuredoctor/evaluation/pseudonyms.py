"""Project pseudonyms: a keyed hash of the participant id under an evaluation project's key.

Each project's key is HMAC-SHA256 of the project's random salt (in the database) under the
study secret (outside it, in the environment or a file): someone holding a copy of the
database cannot recompute pseudonyms, the same project gets the same pseudonyms in every
export, and two projects' pseudonyms cannot be linked. The development secret is public,
so participant-level data is never pseudonymised with it outside development.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app

from futuredoctor.config import BUILT_IN_SECRET_ENVS, DEV_STUDY_SECRET

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


def project_key(secret: bytes, key_salt: str) -> bytes:
    """The project's own key: its salt under the study secret (never stored)."""
    return hmac.new(secret, f"evaluation-project:{key_salt}".encode(), hashlib.sha256).digest()


def key_fingerprint(key: bytes) -> str:
    """16 hex characters that name a key without revealing it (stated in each manifest)."""
    return hashlib.sha256(b"fingerprint:" + key).hexdigest()[:16]


def refuse_development_secret() -> None:
    """Participant-level data is never keyed on the published development secret, except
    in development and test (where the data is made up)."""
    secret = current_app.config.get("STUDY_SECRET") or ""
    env = current_app.config.get("ENV_NAME")
    if secret == DEV_STUDY_SECRET and env not in BUILT_IN_SECRET_ENVS:
        raise ExportUnavailable(
            "Participant-level exports are switched off: the study secret is the development "
            "one. Set FUTUREDOCTOR_STUDY_SECRET to a random secret first."
        )
