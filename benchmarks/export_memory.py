"""Run one export in this process and print its peak memory: ``python -m
benchmarks.export_memory DATABASE_URL REGION_CODE [REGION_CODE ...]``. A separate process per
measurement, so one run's memory does not hide in the next one's peak."""

from __future__ import annotations

import json
import resource
import sys
import time

from benchmarks.app_context import bench_app
from benchmarks.suite_export import scope_for
from futuredoctor.evaluation.package import stream_package
from futuredoctor.evaluation.pseudonyms import study_secret


def main() -> None:
    database_url, *codes = sys.argv[1:]
    with bench_app(database_url):
        scope = scope_for(codes, include_free_text=True)
        study_secret()  # configuration read and connection open before the baseline
        baseline_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        counts: dict[str, int] = {}
        started = time.perf_counter()
        size = 0
        for chunk in stream_package(scope, study_secret(), lambda r: counts.update(r.row_counts)):
            size += len(chunk)
        elapsed = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    growth_kib = peak_kib - baseline_kib
    print(
        json.dumps(
            {
                "rows": counts,
                "bytes": size,
                "seconds": elapsed,
                "peak_kib": peak_kib,
                "growth_kib": growth_kib,
            }
        )
    )


if __name__ == "__main__":
    main()
