"""An app bound to the benchmark database, for suites that call services directly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from futuredoctor import create_app
from futuredoctor.extensions import db


@contextmanager
def bench_app(database_url: str, **config: object) -> Iterator[Flask]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "MAIL_BACKEND": "memory", **config})
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()
