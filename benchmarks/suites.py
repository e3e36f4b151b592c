"""The benchmark suites, each measured against a baseline in the same run."""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.generate import BENCH_PASSWORD
from benchmarks.results import Context, Result
from benchmarks.serving import gunicorn, sign_in, wrk
from benchmarks.suite_enrolment import csv_enrolment
from benchmarks.suite_export import export_memory, export_vs_copy
from benchmarks.suite_network import network_pages
from benchmarks.suite_releases import release_notifications
from benchmarks.suite_routes import route_sweep

ROTATION = 1_000  # participants whose session cookies the rotating wrk script cycles


def participant_dashboard(context: Context) -> list[Result]:
    """Issue target: the participant dashboard reaches at least a third of the requests per
    second of a bare Flask page rendering a 50-row table, under the same gunicorn settings."""
    env = {
        "FUTUREDOCTOR_DATABASE_URL": context.database_url,
        "FUTUREDOCTOR_RATELIMIT_ENABLED": "false",
    }
    with gunicorn("benchmarks.baseline_app:app") as base:
        wrk(base + "/", seconds=2)  # warm up
        baseline = wrk(base + "/")
    with gunicorn("benchmarks.baseline_db_app:app", env) as base:
        wrk(base + "/", seconds=2)
        db_baseline = wrk(base + "/")
    with gunicorn("futuredoctor:create_app()", env) as base:
        cookie = sign_in(base, "bench0@example.nhs.uk", BENCH_PASSWORD)
        wrk(base + "/", cookie, seconds=2)
        measured = wrk(base + "/", cookie)
        # The same page for many people in turn (1,000 of them, the rotation):
        # nothing per person is reused between requests, so this is what a rush of
        # different participants after a release email sees.
        step = max(1, context.sizes["participants"] // ROTATION)
        people = [
            sign_in(base, f"bench{n}@example.nhs.uk", BENCH_PASSWORD)
            for n in range(0, context.sizes["participants"], step)
        ][:ROTATION]
        # Warm, as every other figure here: each person's first request after signing in
        # (their "last seen" write) and each worker's first statements are not counted.
        wrk(base + "/", cookies=people, seconds=3)
        many = wrk(base + "/", cookies=people)
    with gunicorn("benchmarks.signed_in_app:app", env) as base:
        cookie = sign_in(base, "bench0@example.nhs.uk", BENCH_PASSWORD)
        wrk(base + "/bench/signed-in", cookie, seconds=2)
        floor = wrk(base + "/bench/signed-in", cookie)
    ratio = measured / baseline
    return [
        Result(
            name="Participant dashboard (home page) under gunicorn, 2 workers",
            measured=f"{measured:,.0f} req/s",
            baseline=f"{baseline:,.0f} req/s (bare Flask, 50-row table)",
            ratio=ratio,
            target="≥ 0.33",
            ok=ratio >= 1 / 3,
        ),
        Result(
            name="Participant dashboard against a bare Flask page reading 50 rows from the same database (for context)",
            measured=f"{measured:,.0f} req/s",
            baseline=f"{db_baseline:,.0f} req/s (bare Flask, one psycopg query, no session)",
            ratio=measured / db_baseline,
            target="– (informative)",
            ok=True,
        ),
        Result(
            name=f"Participant dashboard for {len(people):,} different participants in turn",
            measured=f"{many:,.0f} req/s",
            baseline=f"{floor:,.0f} req/s (signed-in floor page, same app and run)",
            ratio=many / floor,
            target="≥ 0.5",
            ok=many / floor >= 0.5,
        ),
        Result(
            name="A signed-in page that only checks the account, against the bare page (for context)",
            measured=f"{floor:,.0f} req/s",
            baseline=f"{baseline:,.0f} req/s (bare Flask, 50-row table)",
            ratio=floor / baseline,
            target="– (informative)",
            ok=True,
        ),
    ]


SUITES: dict[str, Callable[[Context], list[Result]]] = {
    "routes": route_sweep,
    "dashboard": participant_dashboard,
    "releases": release_notifications,
    "enrolment": csv_enrolment,
    "export": export_vs_copy,
    "network": network_pages,
    "export-memory": export_memory,  # last: it adds feedback rows to reach 1,000,000
}
