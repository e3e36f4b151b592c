"""Issue 11's export figures on an existing national-size database, without generating
one: the k-anonymity plan (from the maintained date summary and counted live), feedback.csv
and the whole participant-level package, each with and without free text, against
PostgreSQL's COPY of the same rows in the same run.

    python -m benchmarks.export_existing postgresql+psycopg://…/db [--runs 3] [--prepare]

``--prepare`` first brings the database to the steady state an export meets in service:
the ``redact_free_text`` backfill (bulk-loaded feedback has no stored de-identified text)
and the ``count_dated_people`` recount (a bulk load marks every cohort), both timed.
Every figure is the median of ``--runs`` runs with min and max; ratios are each run's
export over the COPY timed just after it, then the median of those. The package's
baseline copies every file's own query: those streamed by the Python writers, captured
while the package runs, and, for the files PostgreSQL writes with COPY, the query their
Python writer would run (the same rows, the stored values).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from benchmarks.app_context import bench_app
from benchmarks.generate import Scale
from benchmarks.results import Context
from benchmarks.suite_export import _all_codes, scope_for
from futuredoctor.evaluation import dated_summary
from futuredoctor.evaluation.copy_export import can_copy
from futuredoctor.evaluation.kanonymity import make_plan
from futuredoctor.evaluation.package import (
    PackageResult,
    csv_chunks,
    stream_package,
    tables_for,
)
from futuredoctor.evaluation.pseudonyms import study_secret
from futuredoctor.evaluation.schema import TABLES_BY_FILE
from futuredoctor.evaluation.scope import ExportScope
from futuredoctor.evaluation.stored_redaction import refresh_stale
from futuredoctor.evaluation.tables import WRITER_QUERIES, k_plan
from futuredoctor.extensions import db


def context_for(database_url: str) -> Context:
    dsn = sa.make_url(database_url).set(drivername="postgresql").render_as_string(False)
    return Context(database_url=database_url, dsn=dsn, sizes={}, scale=Scale())


def prepare(context: Context) -> None:
    with bench_app(context.database_url):
        started = time.perf_counter()
        redone = refresh_stale(commit_each=True)
        print(f"redaction backfill: {redone:,} rows in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        counted = dated_summary.count_stale(commit_each=True)
        took = time.perf_counter() - started
        cells = db.session.scalar(sa.text("SELECT count(*) FROM dated_people"))
        print(f"dated summary: {counted} cohorts counted in {took:.1f} s ({cells:,} cells)")


@contextmanager
def streamed_queries() -> Iterator[list[tuple[str, Any]]]:
    """The row-streaming queries (``yield_per``) run meanwhile: the files' own SELECTs."""
    seen: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if context is not None and context.execution_options.get("yield_per"):
            seen.append((statement, parameters))

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def copy_seconds(context: Context, queries: list[tuple[str, Any]]) -> tuple[float, int]:
    """COPY (query) TO STDOUT of each query, one after another: seconds and bytes."""
    copied = 0
    with psycopg.connect(context.dsn) as conn:
        cur = psycopg.ClientCursor(conn)
        started = time.perf_counter()
        for sql, params in queries:
            with cur.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)", params) as copy:
                for data in copy:
                    copied += len(data)
        return time.perf_counter() - started, copied


def feedback_sql(scope: ExportScope) -> str:
    return writer_sql(scope, "feedback")


def writer_sql(scope: ExportScope, name: str) -> str:
    stmt = WRITER_QUERIES[name](scope)
    return str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def copied_files_sql(scope: ExportScope) -> list[tuple[str, Any]]:
    """The files written by COPY (which the query listener does not see): each one's own
    query as its Python writer runs it, the same rows with their stored values."""
    return [
        (writer_sql(scope, t.name), None) for t in tables_for(scope) if can_copy(t.name, scope)
    ]


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = work()
    return time.perf_counter() - started, value


def one_run(context: Context, live: bool = True, package: bool = True) -> dict[str, float]:
    figures: dict[str, float] = {}
    with bench_app(context.database_url):
        codes = _all_codes()
        scope = scope_for(codes, include_free_text=False)
        figures["plan (summary)"], plan = timed(lambda: make_plan(scope))
        figures["plan level"] = plan.level
        if live:
            every = dated_summary.usable_cohorts
            dated_summary.usable_cohorts = lambda scope, ids: []  # type: ignore[assignment]
            try:
                figures["plan (dates counted live, as before)"], counted = timed(
                    lambda: make_plan(scope)
                )
            finally:
                dated_summary.usable_cohorts = every  # type: ignore[assignment]
            assert (counted.level, counted.withheld) == (plan.level, plan.withheld)
        db.session.rollback()
    for text in (True, False):
        label = "with free text" if text else "no free text"
        with bench_app(context.database_url):
            scope = scope_for(codes, include_free_text=text)
            table = TABLES_BY_FILE["feedback.csv"]
            result = PackageResult()
            secret = study_secret()

            def feedback_file() -> int:
                chunks = csv_chunks(table, scope, secret, result)  # noqa: B023
                return sum(len(c) for c in chunks)

            # The plan is worked out once per package (a single-file download pays it too):
            # timed on its own, then the file.
            figures[f"feedback.csv {label} plan"], _ = timed(lambda: k_plan(scope))  # noqa: B023
            figures[f"feedback.csv {label}"], _ = timed(feedback_file)
            sql = feedback_sql(scope)
            db.session.rollback()
        figures[f"feedback.csv {label} COPY"], _ = copy_seconds(context, [(sql, None)])
        if not package:
            continue
        with bench_app(context.database_url):
            scope = scope_for(codes, include_free_text=text)
            with streamed_queries() as queries:
                figures[f"package {label}"], _ = timed(
                    lambda: sum(len(c) for c in stream_package(scope, study_secret(), _ignore))  # noqa: B023
                )
            copied = copied_files_sql(scope)
            db.session.rollback()
        figures[f"package {label} COPY"], _ = copy_seconds(context, [*queries, *copied])
        figures[f"package {label} queries"] = len(queries) + len(copied)
    return figures


def _ignore(result: PackageResult) -> None:
    return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--no-live", action="store_true", help="skip the plan counted live")
    parser.add_argument("--no-package", action="store_true", help="feedback.csv only")
    args = parser.parse_args()
    context = context_for(args.database_url)
    if args.prepare:
        prepare(context)
    runs = []
    for n in range(args.runs):
        runs.append(one_run(context, live=not args.no_live, package=not args.no_package))
        print(f"run {n + 1}: " + ", ".join(f"{k} {v:.2f}" for k, v in runs[-1].items()))
    for key in runs[0]:
        values = [r[key] for r in runs]
        print(
            f"{key}: median {statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"
        )
    for what in ("feedback.csv", "package"):
        for label in ("with free text", "no free text"):
            name = f"{what} {label}"
            if name not in runs[0]:
                continue
            ratios = [r[name] / r[f"{name} COPY"] for r in runs]
            print(
                f"ratio {name}: median {statistics.median(ratios):.2f} "
                f"({min(ratios):.2f}–{max(ratios):.2f})"
            )
            if f"{name} plan" in runs[0]:
                ratios = [(r[name] + r[f"{name} plan"]) / r[f"{name} COPY"] for r in runs]
                print(
                    f"ratio {name} with its plan: median {statistics.median(ratios):.2f} "
                    f"({min(ratios):.2f}–{max(ratios):.2f})"
                )


if __name__ == "__main__":
    main()
