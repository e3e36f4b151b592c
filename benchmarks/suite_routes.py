"""The route sweep: every GET route x every role that may open it, timed under gunicorn
against the signed-in floor page measured in the same run, with query counts at two data
sizes and response sizes. The table goes into docs/benchmarks.md (``write_sweep``)."""

from __future__ import annotations

import gc
import http.client
import math
import os
import statistics
import time
import urllib.parse
from dataclasses import dataclass, field

import sqlalchemy as sa

from benchmarks.generate import BENCH_PASSWORD, Scale, generate
from benchmarks.results import Context, Result
from benchmarks.route_sweep import (
    Target,
    build_scene,
    count_in_process,
    same_as_signed_out,
    targets,
)
from benchmarks.serving import gunicorn, sign_in
from futuredoctor import create_app
from futuredoctor.extensions import db

# Sequential requests per route and run, and warm-up requests before them; fewer for a
# quick look on a busy machine (FUTUREDOCTOR_BENCH_SWEEP_REQUESTS / _WARM_UP). Of 40
# requests the p95 is the 38th slowest: of 15 it was the slowest one, so a single pause
# of the machine decided a row. Twelve to warm up let both gunicorn workers reach
# psycopg's prepared statements (made at a statement's sixth run on a connection).
RUNS = 3
# The floor is timed again before every this many routes, and each route's p95 is divided
# by the floor timed just before it: on a shared machine the load changes within a run
# (the floor's p95 ranged 5.7 to 9.4 ms across the runs of one sweep), and a floor timed
# minutes earlier made a route look slower or faster than it was.
FLOOR_EVERY = 10
WARM_UP = int(os.environ.get("FUTUREDOCTOR_BENCH_SWEEP_WARM_UP", "12"))
REQUESTS = int(os.environ.get("FUTUREDOCTOR_BENCH_SWEEP_REQUESTS", "40"))
FLOOR = "/bench/signed-in"
SMALL = Scale(participants=300, synthetic_modules=4, cohorts_per_pilot=2, releases_per_cohort=10)
LIMITS = {"page": 3.0, "aggregate": 10.0}
MAX_HTML = 200 * 1024
SETTINGS = {
    "RATELIMIT_ENABLED": False,
    "WTF_CSRF_ENABLED": False,
    "RECENT_SIGN_IN_MINUTES": 24 * 60,
    "SESSION_IDLE_MINUTES": 24 * 60,
    "MAIL_BACKEND": "memory",
}


@dataclass
class Timing:
    p95: list[float] = field(default_factory=list)  # ms, one per run
    median: list[float] = field(default_factory=list)
    db: list[float] = field(default_factory=list)  # ms in statements, median of a run
    floor_p95: list[float] = field(default_factory=list)  # the floor timed just before
    errors: set[int] = field(default_factory=set)


def database_ms(server_timing: str | None) -> float | None:
    """The ``db`` duration of a ``Server-Timing`` header (request_log.py), if any."""
    for part in (server_timing or "").split(","):
        name, *params = part.strip().split(";")
        if name == "db":
            for param in params:
                if param.startswith("dur="):
                    return float(param.removeprefix("dur="))
    return None


def _get(base: str, path: str, cookie: str | None) -> tuple[float, int, float | None]:
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=120)
    started = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    response.read()
    elapsed = (time.perf_counter() - started) * 1000
    conn.close()
    return elapsed, response.status, database_ms(response.getheader("Server-Timing"))


def _time(
    base: str,
    path: str,
    cookie: str | None,
    into: Timing,
    requests: int = REQUESTS,
    warm_up: int = WARM_UP,
) -> None:
    for _ in range(warm_up):
        _get(base, path, cookie)
    samples, in_database = [], []
    # This process's own garbage collection would be timed as the server's latency: it
    # runs between routes, not between the requests of one.
    gc.disable()
    try:
        for _ in range(requests):
            elapsed, status, db_ms = _get(base, path, cookie)
            if status != 200:
                into.errors.add(status)
            samples.append(elapsed)
            if db_ms is not None:
                in_database.append(db_ms)
    finally:
        gc.enable()
    samples.sort()
    into.p95.append(samples[math.ceil(0.95 * len(samples)) - 1])
    into.median.append(statistics.median(samples))
    if in_database:
        into.db.append(statistics.median(in_database))


def _counted(database_url: str) -> list[Target]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, **SETTINGS})
    with app.app_context():
        scene = build_scene()
        found = targets(app, scene)
        db.session.remove()
    count_in_process(app, found, BENCH_PASSWORD)
    with app.app_context():
        db.engine.dispose()
    return [t for t in found if not same_as_signed_out(t)]


def small_counts(context: Context) -> dict[tuple[str, str], int | None]:
    """Query counts on a small data set in its own database, for the growth column."""
    from benchmarks.__main__ import prepare

    server = context.database_url.rsplit("/", 1)[0]
    url = prepare(server, "futuredoctor_bench_small")
    generate(sa.make_url(url).set(drivername="postgresql").render_as_string(False), SMALL)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, **SETTINGS})
    with app.app_context():
        found = targets(app, build_scene())
        db.session.remove()
    count_in_process(app, found, BENCH_PASSWORD, small=True)
    with app.app_context():
        db.engine.dispose()
    return {(t.endpoint, t.role): t.small_queries for t in found}


def sweep(context: Context) -> tuple[list[Target], dict[tuple[str, str], Timing], Timing]:
    small = small_counts(context)
    found = _counted(context.database_url)
    for target in found:
        target.small_queries = small.get((target.endpoint, target.role))
    env = {
        "FUTUREDOCTOR_DATABASE_URL": context.database_url,
        "FUTUREDOCTOR_RATELIMIT_ENABLED": "false",
        "FUTUREDOCTOR_RECENT_SIGN_IN_MINUTES": str(24 * 60),
        "FUTUREDOCTOR_SESSION_IDLE_MINUTES": str(24 * 60),
        "FUTUREDOCTOR_SERVER_TIMING": "true",  # the time in statements, for each row
    }
    timings: dict[tuple[str, str], Timing] = {}
    floor = Timing()
    gc.collect()
    gc.freeze()  # what the set-up left alive: collections between routes skip it
    with gunicorn("benchmarks.signed_in_app:app", env) as base:
        cookies = {
            t.role: sign_in(base, t.email, BENCH_PASSWORD) for t in found if t.email is not None
        }
        floor_cookie = next(iter(cookies.values()))
        opened = [t for t in found if t.problem is None]
        for run in range(RUNS):
            print(f"  sweep run {run + 1} of {RUNS}", flush=True)
            for index, target in enumerate(opened):
                if index % FLOOR_EVERY == 0:
                    _time(base, FLOOR, floor_cookie, floor)
                timing = timings.setdefault((target.endpoint, target.role), Timing())
                _time(base, target.url, cookies.get(target.role), timing)
                timing.floor_p95.append(floor.p95[-1])
    return found, timings, floor


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} ({min(values):.1f}–{max(values):.1f})"


def verdict(target: Target, ratio: float) -> tuple[str, bool | None]:
    """The target that applies and whether it is met (None: informative)."""
    if target.kind == "download":
        return "– (download)", None
    limit = LIMITS[target.kind]
    return f"≤ {limit:g}× and ≤ 200 KB", ratio <= limit and target.size <= MAX_HTML


def _in_database(timing: Timing) -> str:
    return spread(timing.db) if timing.db else "–"


def excess(timing: Timing, floor: Timing) -> str:
    """Where a page's median time beyond the floor's goes: statements (the database's
    answer and the round trips) or the application (building statements, loading rows
    into objects, rendering)."""
    if not (timing.db and floor.db):
        return ""
    beyond = statistics.median(timing.median) - statistics.median(floor.median)
    in_db = statistics.median(timing.db) - statistics.median(floor.db)
    return f": +{beyond - in_db:.1f} ms app, +{in_db:.1f} ms db"


def sweep_table(
    found: list[Target], timings: dict[tuple[str, str], Timing], floor: Timing
) -> tuple[list[str], int, int]:
    """Markdown rows sorted by ratio (worst first), unopened routes last; and how many
    targets were met out of how many. A row not met says where its median time beyond the
    floor's goes (from the ``Server-Timing`` header)."""
    rows: list[tuple[float, str]] = []
    met = counted = 0
    for t in found:
        timing = timings.get((t.endpoint, t.role))
        if t.problem or timing is None:
            continue
        ratios = [p / f for p, f in zip(timing.p95, timing.floor_p95, strict=True)]
        ratio = statistics.median(ratios)
        target, ok = verdict(t, ratio)
        if timing.errors:
            target, ok = f"answered {sorted(timing.errors)} under load", False
        if ok is not None:
            counted += 1
            met += ok
        grew = "" if t.small_queries in (None, t.queries) else " **grew**"
        outcome = "–" if ok is None else ("yes" if ok else f"**no**{excess(timing, floor)}")
        rows.append(
            (
                ratio,
                f"| `{t.url}` | {t.role} | {t.kind} | {spread(timing.median)} | "
                f"{_in_database(timing)} | {spread(timing.p95)} | "
                f"{ratio:.1f} ({min(ratios):.1f}–{max(ratios):.1f}) | "
                f"{t.queries} / {t.small_queries if t.small_queries is not None else '–'}{grew} | "
                f"{t.size / 1024:,.1f} | {target} | {outcome} |",
            )
        )
    header = [
        f"Floor (`{FLOOR}`, same run, timed {len(floor.p95)} times: before every "
        f"{FLOOR_EVERY} routes of each run): p95 {spread(floor.p95)} ms, median "
        f"{spread(floor.median)} ms, of which in its statements {_in_database(floor)} ms. "
        f"Each figure is the median of {RUNS} runs (min–max), each run {REQUESTS} sequential "
        f"requests after {WARM_UP} to warm up; a row's ratio is the median of its runs' p95, "
        "each divided by the floor's p95 timed just before it (a few seconds earlier). "
        '"db ms" is the median time a request spent '
        "in its statements (the app's `Server-Timing` header); a row not met says how much "
        "of its median beyond the floor's is the application's own work (building "
        "statements, loading rows into objects, rendering) and how much the database's.",
        "",
        "| route | role | class | median ms | db ms | p95 ms | p95 / floor | queries (this "
        "size / small) | KB | target | met |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines = header + [row for _, row in sorted(rows, key=lambda r: -r[0])]
    unopened = [t for t in found if t.problem]
    if unopened:
        lines += ["", "Routes the sweep could not open:", ""]
        lines += [f"- `{t.url}` as {t.role}: {t.problem}" for t in unopened]
    return lines, met, counted


def route_sweep(context: Context) -> list[Result]:
    found, timings, floor = sweep(context)
    lines, met, counted = sweep_table(found, timings, floor)
    context.extra["sweep"] = lines
    return [
        Result(
            name="Route sweep: every GET route x role within its class's ratio to the floor "
            "(see the sweep table)",
            measured=f"{met} of {counted} met",
            baseline=f"floor p95 {statistics.median(floor.p95):.1f} ms (same run)",
            ratio=met / counted if counted else None,
            target="all met",
            ok=met == counted,
        )
    ]
