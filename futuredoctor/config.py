"""Settings read from ``FUTUREDOCTOR_*`` environment variables, with safe local defaults.

Development runs with zero set-up (SQLite under ``instance/``, console mail). Only the
``development`` and ``test`` environments may use the built-in secrets: any other name
(``production``, ``staging``, ``training``...) refuses to start without a strong secret key
and a study secret, because a guessable key lets anyone forge a session and sign in as a
national admin, and a known study secret lets anyone reverse the research pseudonyms.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
DEV_SECRET_KEY = "dev-only-secret-key-not-for-production"  # noqa: S105
MIN_SECRET_KEY_LENGTH = 32
# The environments that may run with the secrets written in this file (and create demo data).
BUILT_IN_SECRET_ENVS = frozenset({"development", "test"})
WEAK_SECRET_KEYS = {"", "secret", "changeme", "dev", "development", DEV_SECRET_KEY}
# The per-study key for evaluation pseudonyms; held outside the database (env or a file).
DEV_STUDY_SECRET = "dev-only-study-secret-not-for-research-use"  # noqa: S105


class ConfigError(RuntimeError):
    """Raised when the app is configured in a way that would be unsafe to serve."""


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"FUTUREDOCTOR_{name}", default)


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from the environment, then apply ``overrides``."""
    env = (_env("ENV", "development") or "development").lower()
    database_url = _env("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'futuredoctor.db'}"
    config: dict[str, Any] = {
        "ENV_NAME": env,
        "SECRET_KEY": _env("SECRET_KEY", DEV_SECRET_KEY if env in BUILT_IN_SECRET_ENVS else ""),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "TIMEZONE": _env("TIMEZONE", "Europe/London"),
        "MAIL_BACKEND": _env("MAIL_BACKEND", "console"),
        "MAIL_FROM": _env("MAIL_FROM", "Future Doctor pilots <no-reply@futuredoctor.invalid>"),
        "MAIL_SMTP_HOST": _env("MAIL_SMTP_HOST", "localhost"),
        "MAIL_SMTP_PORT": int(_env("MAIL_SMTP_PORT", "25") or 25),
        "MAIL_SMTP_USERNAME": _env("MAIL_SMTP_USERNAME"),
        "MAIL_SMTP_PASSWORD": _env("MAIL_SMTP_PASSWORD"),
        "MAIL_SMTP_STARTTLS": _env_bool("MAIL_SMTP_STARTTLS", True),
        "MAIL_FILE_DIR": _env("MAIL_FILE_DIR", str(INSTANCE_DIR / "mail")),
        "MAIL_SMTP_TIMEOUT": int(_env("MAIL_SMTP_TIMEOUT", "30") or 30),
        "MAIL_MAX_ATTEMPTS": int(_env("MAIL_MAX_ATTEMPTS", "8") or 8),
        # Seconds a sender holds a claimed email before another may send it (0: automatic).
        "MAIL_CLAIM_SECONDS": float(_env("MAIL_CLAIM_SECONDS", "0") or 0),
        "PUBLIC_URL": _env("PUBLIC_URL", "http://127.0.0.1:5000"),  # links in emails
        "ENROLMENT_INVITATION_DAYS": int(_env("ENROLMENT_INVITATION_DAYS", "14") or 14),
        "HEALTH_CHECK_TIMEOUT": float(_env("HEALTH_CHECK_TIMEOUT", "2") or 2),
        "SCHEDULER_INTERVAL": int(_env("SCHEDULER_INTERVAL", "30") or 30),
        "SCHEDULER_BATCH_SIZE": int(_env("SCHEDULER_BATCH_SIZE", "200") or 200),
        # Oldest a dashboard summary may be before a page counts it again itself; the
        # scheduler recounts every summary each SUMMARY_REFRESH_SECONDS.
        "SUMMARY_MAX_AGE_SECONDS": int(_env("SUMMARY_MAX_AGE_SECONDS", "600") or 600),
        "SUMMARY_REFRESH_SECONDS": int(_env("SUMMARY_REFRESH_SECONDS", "300") or 300),
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        # A moving window: "10 per minute" means any sixty seconds, so no burst of twenty
        # straddling the turn of a minute.
        "RATELIMIT_STRATEGY": _env("RATELIMIT_STRATEGY", "moving-window"),
        "LOGIN_RATE_LIMIT": _env("LOGIN_RATE_LIMIT", "10 per minute"),
        # Per API token: enough for a nightly script, too few to sweep parameters.
        "EXPORT_API_RATE_LIMIT": _env("EXPORT_API_RATE_LIMIT", "20 per hour"),
        "EXPORT_K_ANONYMITY": int(_env("EXPORT_K_ANONYMITY", "5") or "5"),
        "LOCKOUT_THRESHOLD": int(_env("LOCKOUT_THRESHOLD", "5") or 5),
        "LOCKOUT_MINUTES": int(_env("LOCKOUT_MINUTES", "15") or 15),
        "PROXY_HOPS": int(_env("PROXY_HOPS", "0") or 0),
        "SESSION_IDLE_MINUTES": int(_env("SESSION_IDLE_MINUTES", "60") or 60),
        "SESSION_ABSOLUTE_HOURS": int(_env("SESSION_ABSOLUTE_HOURS", "12") or 12),
        "RECENT_SIGN_IN_MINUTES": int(_env("RECENT_SIGN_IN_MINUTES", "15") or 15),
        "PASSWORD_RESET_MINUTES": int(_env("PASSWORD_RESET_MINUTES", "60") or 60),
        "STAFF_INVITATION_DAYS": int(_env("STAFF_INVITATION_DAYS", "7") or 7),
        # Colleague feedback on an educator: links last this long, and answers are shown
        # only once this many people have answered (never who said what).
        "COLLEAGUE_FEEDBACK_DAYS": int(_env("COLLEAGUE_FEEDBACK_DAYS", "30") or 30),
        "COLLEAGUE_FEEDBACK_MIN_RESPONSES": int(
            _env("COLLEAGUE_FEEDBACK_MIN_RESPONSES", "3") or 3
        ),
        "CONTENT_DIR": _env("CONTENT_DIR", str(PROJECT_ROOT / "modules_content")),
        "REGIONS_DIR": _env("REGIONS_DIR", str(PROJECT_ROOT / "regions")),
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env != "development",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env != "development",
        # Flask refuses a session cookie signed longer ago than this. Kept an hour beyond
        # the absolute lifetime so the server-side session row (auth/sessions.py), which
        # records why a session ended, is what applies the idle and absolute limits.
        "PERMANENT_SESSION_LIFETIME": 3600
        * (int(_env("SESSION_ABSOLUTE_HOURS", "12") or 12) + 1),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "STUDY_SECRET": _study_secret(env),
        # Operations (docs/operations.md): log format ("json" or "text"; default JSON
        # outside development and test), error reporting, and who may read /metrics.
        "LOG_FORMAT": _env("LOG_FORMAT"),
        "LOG_LEVEL": _env("LOG_LEVEL", "INFO"),
        # Keep the ready app out of the garbage collector's full passes (heap.py).
        "GC_FREEZE": _env_bool("GC_FREEZE", True),
        # Say in a Server-Timing header how long the database and the whole request took.
        "SERVER_TIMING": _env_bool("SERVER_TIMING", False),
        "SENTRY_DSN": _env("SENTRY_DSN"),
        "METRICS_TOKEN": _env("METRICS_TOKEN"),
        "METRICS_ALLOW": _env("METRICS_ALLOW", ""),  # comma-separated addresses/networks
    }
    if overrides:
        config.update(overrides)
    config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        config["SQLALCHEMY_DATABASE_URI"], config["SQLALCHEMY_ENGINE_OPTIONS"]
    )
    return config


# Every statement on PostgreSQL is planned for its own values. The driver prepares a
# statement run five times, and after five more PostgreSQL may switch it to one generic
# plan for any values; for the scoped queries (one pilot's open items among 600,000) the
# generic plan reads everything: the editor's count of open feedback went from 3 ms to
# 250 ms on its eleventh run in a process, and stayed there.
PLAN_EVERY_TIME = "-c plan_cache_mode=force_custom_plan"


def engine_options(database_url: str, options: dict[str, Any]) -> dict[str, Any]:
    """``options`` for the engine, with PostgreSQL's connections set to plan every
    statement for its own values (``PLAN_EVERY_TIME``)."""
    if make_url(str(database_url)).get_backend_name() != "postgresql":
        return options
    connect_args = dict(options.get("connect_args") or {})
    given = connect_args.get("options", "")
    if "plan_cache_mode" not in given:
        connect_args["options"] = f"{given} {PLAN_EVERY_TIME}".strip()
    return {**options, "connect_args": connect_args}


def _study_secret(env: str) -> str | None:
    """FUTUREDOCTOR_STUDY_SECRET, else the file FUTUREDOCTOR_STUDY_SECRET_FILE names; a
    development default in development only (exports refuse to run without one)."""
    value = _env("STUDY_SECRET")
    path = _env("STUDY_SECRET_FILE")
    if not value and path:
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigError(f"FUTUREDOCTOR_STUDY_SECRET_FILE cannot be read: {error}") from error
    if not value and env in BUILT_IN_SECRET_ENVS:
        value = DEV_STUDY_SECRET
    return value or None


def check_config(config: dict[str, Any]) -> None:
    """Refuse to serve any environment but development and test with a missing or weak
    secret key or without a study secret."""
    env = config.get("ENV_NAME")
    if env in BUILT_IN_SECRET_ENVS:
        return
    key = config.get("SECRET_KEY") or ""
    if key.lower() in WEAK_SECRET_KEYS or len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            "FUTUREDOCTOR_SECRET_KEY must be set to a random value of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters in {env} "
            '(for example: python -c "import secrets; print(secrets.token_urlsafe(48))").'
        )
    study = config.get("STUDY_SECRET") or ""
    if study in {DEV_STUDY_SECRET, key} or len(study) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            "FUTUREDOCTOR_STUDY_SECRET (or FUTUREDOCTOR_STUDY_SECRET_FILE) must hold a random "
            f"value of at least {MIN_SECRET_KEY_LENGTH} characters, different from the secret "
            f"key, in {env}."
        )
