"""Issue 4: validating and committing a 10,000-row enrolment CSV."""

from __future__ import annotations

import io
import time

import psycopg
import sqlalchemy as sa

from benchmarks.app_context import bench_app
from benchmarks.results import Context, Result
from futuredoctor import clock
from futuredoctor.enrolment.csv_commit import commit
from futuredoctor.enrolment.csv_import import validate
from futuredoctor.extensions import db
from futuredoctor.models import Cohort, Pilot, Role, RoleGrant, User

ROWS = 10_000
HEADER = (
    "email,given_name,family_name,professional_group,registration_body,"
    "registration_number,career_stage,employer,cohort"
)


def _csv(cohort_slug: str) -> bytes:
    lines = [HEADER]
    for n in range(ROWS):
        lines.append(
            f"csv{n}@example.nhs.uk,Given{n},Family{n},doctor,GMC,{6000000 + n},FY1,"
            f"Benchmark Trust,{cohort_slug}"
        )
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def csv_enrolment(context: Context) -> list[Result]:
    with bench_app(context.database_url):
        pilot = db.session.scalar(sa.select(Pilot).order_by(Pilot.id))
        cohort = db.session.scalar(
            sa.select(Cohort).where(Cohort.pilot_id == pilot.id, Cohort.slug.like("%-bench-%"))
        )
        admin = User(email="bench.admin@example.nhs.uk", given_name="Bench", family_name="Admin")
        db.session.add(admin)
        db.session.add(RoleGrant(user=admin, role=Role.PILOT_ADMIN, pilot=pilot))
        db.session.commit()
        data = _csv(cohort.slug)

        started = time.perf_counter()
        plan = validate(data, admin, waitlist_overflow=False, today=clock.today_uk())
        validated = time.perf_counter() - started
        if not plan.ok:
            raise RuntimeError(f"benchmark CSV refused: {plan.problems[:3]}")
        result = commit(plan, admin, "bench.csv")
        db.session.commit()
        elapsed = time.perf_counter() - started

    # Baseline: PostgreSQL's own COPY of the same file into a table of the same shape.
    with psycopg.connect(context.dsn) as conn:
        conn.execute(
            "CREATE TEMP TABLE csv_copy (email text, given_name text, family_name text,"
            " professional_group text, registration_body text, registration_number text,"
            " career_stage text, employer text, cohort text)"
        )
        started = time.perf_counter()
        with conn.cursor().copy("COPY csv_copy FROM STDIN WITH (FORMAT csv, HEADER)") as copy:
            copy.write(io.BytesIO(data).read())
        baseline = time.perf_counter() - started
    return [
        Result(
            name=f"Enrolment CSV of {ROWS:,} rows: validate and commit in one transaction",
            measured=f"{elapsed:.2f} s (validation {validated:.2f} s; {result.enrolled:,} enrolled)",
            baseline=f"{baseline:.2f} s (PostgreSQL COPY of the same file)",
            ratio=elapsed / baseline if baseline else None,
            target="< 5 s",
            ok=elapsed < 5 and result.enrolled == ROWS,
        )
    ]
