"""``python -m benchmarks [--small] [--only NAME ...]``: build a national-scale PostgreSQL
data set in a throwaway cluster, run every benchmark, write docs/benchmarks.md."""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import flask_migrate
import psycopg
import sqlalchemy as sa

from benchmarks.generate import Scale, generate
from benchmarks.results import Context, Result, write_block, write_report, write_sweep
from benchmarks.suite_network import plans_markdown
from benchmarks.suites import SUITES
from futuredoctor import create_app
from futuredoctor.config import PROJECT_ROOT
from futuredoctor.content import sync_content
from futuredoctor.extensions import db
from tests.pg import find_bindir, throwaway_cluster


def prepare(server: str, name: str) -> str:
    url = sa.make_url(f"{server}/postgres")
    with psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        dbname="postgres",
        password=url.password,
        autocommit=True,
    ) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    database_url = f"{server}/{name}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        flask_migrate.upgrade()
        sync_content(db.session, PROJECT_ROOT / "modules_content", PROJECT_ROOT / "regions")
        db.session.commit()
        db.engine.dispose()
    return database_url


def run(selected: list[str], scale: Scale, server: str) -> tuple[list[Result], Context]:
    database_url = prepare(server, "futuredoctor_bench")
    dsn = sa.make_url(database_url).set(drivername="postgresql").render_as_string(False)
    started = time.perf_counter()
    sizes = generate(dsn, scale)
    print(f"generated {sizes} in {time.perf_counter() - started:.1f} s", flush=True)
    context = Context(database_url=database_url, dsn=dsn, sizes=sizes, scale=scale)
    results: list[Result] = []
    suites: dict[str, Callable[[Context], list[Result]]] = SUITES
    for name, suite in suites.items():
        if selected and name not in selected:
            continue
        print(f"running {name}...", flush=True)
        for result in suite(context):
            print(f"  {result.line()}", flush=True)
            results.append(result)
    return results, context


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="a quick run on a small data set")
    parser.add_argument("--only", nargs="*", default=[], choices=sorted(SUITES))
    parser.add_argument("--report", default=str(PROJECT_ROOT / "docs" / "benchmarks.md"))
    parser.add_argument(
        "--participants", type=int, help="a reduced national data set of this many participants"
    )
    args = parser.parse_args()
    scale = Scale.small() if args.small else Scale()
    if args.participants:
        scale = dataclasses.replace(scale, participants=args.participants)
    server = os.environ.get("FUTUREDOCTOR_BENCH_DATABASE_URL")
    if server:
        results, context = run(args.only, scale, server)
    else:
        bindir = find_bindir()
        if bindir is None:
            raise SystemExit("PostgreSQL server binaries not found: benchmarks need PostgreSQL")
        with throwaway_cluster(bindir) as cluster:
            results, context = run(args.only, scale, cluster)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    write_report(Path(args.report), results, scale, machine, datetime.now(UTC))
    if "sweep" in context.extra:
        write_sweep(Path(args.report), context.extra["sweep"], scale, machine, datetime.now(UTC))
    if "network_plans" in context.extra:
        lines = plans_markdown(context.extra["network_plans"])
        title = "Query plans: network list and searches, champion directory"
        write_block(Path(args.report), "network-plans", title, lines, datetime.now(UTC))
    print(f"report written to {args.report}")
    if any(not r.ok for r in results):
        raise SystemExit("some targets were missed: see the report")


if __name__ == "__main__":
    main()
