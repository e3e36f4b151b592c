"""Reading and writing summary snapshots (one row per kind and key)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from futuredoctor import clock, upsert
from futuredoctor.extensions import db
from futuredoctor.models import SummarySnapshot

DEFAULT_MAX_AGE = 600  # seconds; the scheduler refreshes every stored summary more often


@dataclass(frozen=True)
class Snapshot:
    payload: Any
    as_of: datetime


def max_age() -> timedelta:
    return timedelta(
        seconds=int(current_app.config.get("SUMMARY_MAX_AGE_SECONDS", DEFAULT_MAX_AGE))
    )


# Built once with the kind and key bound: pages read summaries on every visit.
_READ = sa.select(SummarySnapshot.payload, SummarySnapshot.refreshed_at).where(
    SummarySnapshot.kind == sa.bindparam("kind"), SummarySnapshot.key == sa.bindparam("key")
)


def read(kind: str, key: str, compute: Callable[[], Any]) -> Snapshot:
    """The stored summary if fresh enough, else ``compute()`` now, stored for the next
    reader (one query when fresh)."""
    row = db.session.execute(_READ, {"kind": kind, "key": key}).first()
    if row is not None and clock.now() - row.refreshed_at < max_age():
        return Snapshot(row.payload, row.refreshed_at)
    return store(kind, key, compute())


def store(kind: str, key: str, payload: Any) -> Snapshot:
    """Write ``payload`` as the summary now, in one upsert whether or not it was stored
    before (two writers at once: the later one wins; both counted the same rows)."""
    now = clock.now()
    stmt = upsert.insert(SummarySnapshot).values(
        kind=kind, key=key, payload=payload, refreshed_at=now
    )
    db.session.execute(
        stmt.on_conflict_do_update(
            index_elements=["kind", "key"],
            set_={"payload": stmt.excluded.payload, "refreshed_at": stmt.excluded.refreshed_at},
        )
    )
    return Snapshot(payload, now)


def stored_keys(kind: str) -> list[str]:
    stmt = sa.select(SummarySnapshot.key).where(SummarySnapshot.kind == kind)
    return list(db.session.scalars(stmt.order_by(SummarySnapshot.key)))


# kind -> function computing the payload for a key (None: the scope has gone, drop it).
REFRESHERS: dict[str, Callable[[str], Any]] = {}


def refresher(kind: str) -> Callable[[Callable[[str], Any]], Callable[[str], Any]]:
    """Register how to recompute ``kind`` for a key, for the scheduler's refresh job."""

    def register(function: Callable[[str], Any]) -> Callable[[str], Any]:
        REFRESHERS[kind] = function
        return function

    return register


def refresh_all() -> int:
    """Recompute every stored summary; returns how many were written."""
    written = 0
    for kind, compute in REFRESHERS.items():
        for key in stored_keys(kind):
            payload = compute(key)
            if payload is None:
                db.session.execute(
                    sa.delete(SummarySnapshot).where(
                        SummarySnapshot.kind == kind, SummarySnapshot.key == key
                    )
                )
                continue
            store(kind, key, payload)
            written += 1
    return written
