"""The app's one clock: tests can move it, and everything that asks for now or today (in
Python and in SQL) moves with it."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask
from time_machine import escape_hatch

from futuredoctor import clock
from futuredoctor.extensions import db
from futuredoctor.models import Module, Release
from tests.conftest import TEST_NOW, _test_now
from tests.factories import current_cohorts, make_release


def test_the_session_runs_at_futuredoctor_test_now() -> None:
    instant = _test_now()
    if instant is None:
        assert not escape_hatch.is_travelling(), os.environ.get(TEST_NOW)  # the real clock
    else:
        assert instant <= clock.now() < instant + timedelta(days=1)


def test_frozen_now_stands_still_and_moves_on_request(frozen_now: datetime, time_machine) -> None:
    assert clock.now() == frozen_now
    time_machine.shift(timedelta(hours=2))
    assert clock.now() == frozen_now + timedelta(hours=2)


def test_today_in_uk_time_runs_ahead_of_utc_on_summer_nights(time_machine) -> None:
    time_machine.move_to(datetime(2035, 7, 15, 23, 30, tzinfo=UTC), tick=False)
    assert clock.today_uk() == date(2035, 7, 16)  # 00:30 BST
    time_machine.move_to(datetime(2035, 12, 31, 23, 30, tzinfo=UTC), tick=False)
    assert clock.today_uk() == date(2035, 12, 31)  # GMT: no offset


def test_today_reads_the_configured_zone(app: Flask, time_machine) -> None:
    time_machine.move_to(datetime(2030, 1, 10, 20, 0, tzinfo=UTC), tick=False)
    assert clock.today_uk() == date(2030, 1, 10)
    app.config["TIMEZONE"] = "Pacific/Auckland"
    assert clock.today_uk() == date(2030, 1, 11)


def test_released_in_sql_follows_the_app_clock_not_the_database_clock(
    app: Flask, frozen_now: datetime, time_machine: Any
) -> None:
    """PostgreSQL's now() cannot be moved by a test; the query binds the app's instant."""
    module = db.session.scalar(sa.select(Module).where(Module.slug == "shared-decision-making"))
    release = make_release(module.latest, current_cohorts()["lon-current"], days_from_now=3)
    db.session.commit()

    def released() -> bool:
        ids = db.session.scalars(sa.select(Release.id).where(Release.is_released))
        return release.id in set(ids)

    assert not released() and not release.is_released
    time_machine.shift(timedelta(days=3, seconds=1))
    assert released() and release.is_released
