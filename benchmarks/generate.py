"""A national-scale data set: 60,000 participants, 300 module versions, 1.5 million progress
rows and 600,000 feedback items, written with PostgreSQL COPY so it takes seconds, not hours.

It builds on a database that already has the migrations and the shipped content.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg

from futuredoctor import clock
from futuredoctor.passwords import hash_password

BENCH_PASSWORD = "bench-password-2026"  # noqa: S105
CONSENT_RATE = 0.95  # share of participants who give research consent


@dataclass(frozen=True)
class Scale:
    participants: int = 60_000
    synthetic_modules: int = 96  # x 3 versions + 12 shipped modules = 300 versions
    versions_per_module: int = 3
    cohorts_per_pilot: int = 12
    releases_per_cohort: int = 25
    feedback_per_participant: int = 10

    @classmethod
    def small(cls) -> Scale:
        return cls(participants=3_000, synthetic_modules=24, cohorts_per_pilot=3)


FEEDBACK_TEXT = [
    "Clear and practical; I used the handover checklist the next day.",
    "Too long for a night shift, but the case was realistic.",
    '=HYPERLINK("http://example.invalid","click")',
    "Would like more on community settings,\nnot only wards.",
    "Good discussion prompts\tfor our team meeting.",
    '"Quoted" feedback with, commas',
]


def _next_id(cur: psycopg.Cursor, table: str) -> int:
    return (cur.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone() or [1])[0]


def _reset_sequences(cur: psycopg.Cursor, tables: list[str]) -> None:
    for table in tables:
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))"
        )


def generate(dsn: str, scale: Scale, seed: int = 2026) -> dict[str, int]:
    """Fill the database; returns row counts by table."""
    rng = random.Random(seed)
    now = clock.now()
    today = clock.today_uk()
    password_hash = hash_password(BENCH_PASSWORD)
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        pilots = cur.execute("SELECT id, slug FROM pilot ORDER BY id").fetchall()
        domains = [r[0] for r in cur.execute("SELECT id FROM framework_domain ORDER BY position")]

        # Modules and versions: the 12 shipped ones plus synthetic ones with three versions.
        module_id = _next_id(cur, "module")
        version_id = _next_id(cur, "module_version")
        versions: list[int] = [r[0] for r in cur.execute("SELECT id FROM module_version")]
        with cur.copy("COPY module (id, slug, created_at) FROM STDIN") as copy:
            for n in range(scale.synthetic_modules):
                copy.write_row((module_id + n, f"bench-module-{n:03d}", now))
        with cur.copy(
            "COPY module_version (id, module_id, number, title, summary, estimated_minutes,"
            " delivery_mode, learning_outcomes, body_markdown, changelog, content_hash,"
            " published_at) FROM STDIN"
        ) as copy:
            for n in range(scale.synthetic_modules):
                for number in range(1, scale.versions_per_module + 1):
                    body = f"## Why this matters\n\nSynthetic module {n} version {number}."
                    copy.write_row(
                        (
                            version_id,
                            module_id + n,
                            number,
                            f"Benchmark module {n:03d}",
                            "A synthetic module for benchmarks.",
                            30,
                            "online",
                            '["Do a thing"]',
                            body,
                            f"Version {number}",
                            hashlib.sha256(body.encode()).hexdigest(),
                            now - timedelta(days=90 - number * 10),
                        )
                    )
                    versions.append(version_id)
                    version_id += 1
        synthetic = versions[len(versions) - scale.synthetic_modules * scale.versions_per_module :]
        with cur.copy(
            "COPY module_version_domain (module_version_id, domain_id) FROM STDIN"
        ) as copy:
            for vid in synthetic:
                for did in rng.sample(domains, 2):
                    copy.write_row((vid, did))

        # Cohorts: several per pilot, all running (and enrolling) on the day it runs.
        cohort_id = _next_id(cur, "cohort")
        cohorts: list[int] = []
        with cur.copy(
            "COPY cohort (id, pilot_id, slug, name, capacity, enrolment_opens, enrolment_closes,"
            " starts_on, ends_on, eligible_professional_groups, eligible_career_stages)"
            " FROM STDIN"
        ) as copy:
            for pilot_id, slug in pilots:
                for n in range(scale.cohorts_per_pilot):
                    copy.write_row(
                        (
                            cohort_id,
                            pilot_id,
                            f"{slug}-bench-{n:02d}",
                            f"Benchmark cohort {n}",
                            100_000,
                            today - timedelta(days=120),
                            today + timedelta(days=240),
                            today - timedelta(days=90),
                            today + timedelta(days=390),
                            '["doctor", "nurse", "pharmacist"]',
                            '["FY1", "FY2", "CT1", "other"]',
                        )
                    )
                    cohorts.append(cohort_id)
                    cohort_id += 1

        # Releases: each cohort gets a spread of module versions, all already out.
        release_id = _next_id(cur, "release")
        releases: dict[int, list[tuple[int, int, datetime]]] = {}
        with cur.copy(
            "COPY release (id, module_version_id, cohort_id, release_at, status, created_at)"
            " FROM STDIN"
        ) as copy:
            for cid in cohorts:
                chosen = rng.sample(versions, scale.releases_per_cohort)
                releases[cid] = []
                for k, vid in enumerate(chosen):
                    at = now - timedelta(days=60 - k * 2, hours=rng.randint(0, 8))
                    copy.write_row((release_id, vid, cid, at, "scheduled", at - timedelta(days=7)))
                    releases[cid].append((release_id, vid, at))
                    release_id += 1

        statement_id = cur.execute(
            "INSERT INTO consent_statement (version, body, effective_from) VALUES (9001, "
            "'Benchmark consent statement', %s) ON CONFLICT (version) DO UPDATE SET body ="
            " excluded.body RETURNING id",
            (now - timedelta(days=400),),
        ).fetchone()[0]

        user_id = _next_id(cur, "user_account")
        enrolment_id = _next_id(cur, "enrolment")
        groups = ["doctor", "nurse", "pharmacist", "allied_health"]
        stages = ["FY1", "FY2", "CT1", "ST1", "LED", "other"]
        people = []
        with cur.copy(
            "COPY user_account (id, email, given_name, family_name, password_hash, is_enabled,"
            " professional_group, registration_body, registration_number, career_stage,"
            " employer, failed_login_count, session_version, digest_opt_out,"
            " email_notifications, created_at) FROM STDIN"
        ) as copy:
            for n in range(scale.participants):
                group = groups[n % len(groups)]
                copy.write_row(
                    (
                        user_id + n,
                        f"bench{n}@example.nhs.uk",
                        "Bench",
                        f"Person {n}",
                        password_hash,
                        True,
                        group,
                        "GMC",
                        f"{7000000 + n}",
                        stages[n % len(stages)],
                        "Benchmark NHS trust",
                        0,
                        1,
                        n % 5 == 0,
                        True,
                        now,
                    )
                )
                people.append((user_id + n, enrolment_id + n, cohorts[n % len(cohorts)]))
        with cur.copy("COPY role_grant (user_id, role, granted_at) FROM STDIN") as copy:
            for uid, _, _ in people:
                copy.write_row((uid, "participant", now))
        with cur.copy(
            "COPY enrolment (id, cohort_id, user_id, status, created_at, enrolled_at) FROM STDIN"
        ) as copy:
            for uid, eid, cid in people:
                copy.write_row((eid, cid, uid, "enrolled", now, now))
        with cur.copy(
            "COPY consent_record (enrolment_id, statement_id, given, recorded_at) FROM STDIN"
        ) as copy:
            for _, eid, _ in people:
                copy.write_row((eid, statement_id, rng.random() < CONSENT_RATE, now))

        progress_rows = feedback_rows = 0
        with cur.copy(
            "COPY progress (enrolment_id, release_id, started_at, completed_at) FROM STDIN"
        ) as copy:
            for _, eid, cid in people:
                for rid, _, at in releases[cid]:
                    started = at + timedelta(hours=rng.randint(1, 72))
                    done = started + timedelta(hours=2) if rng.random() < 0.7 else None
                    copy.write_row((eid, rid, started, done))
                    progress_rows += 1
        with cur.copy(
            "COPY feedback_item (module_version_id, enrolment_id, source, relevance, quality,"
            " applicability, text, status, notify_on_action, created_at, updated_at)"
            " FROM STDIN"
        ) as copy:
            for _, eid, cid in people:
                for _, vid, at in releases[cid][: scale.feedback_per_participant]:
                    when = at + timedelta(days=2)
                    copy.write_row(
                        (
                            vid,
                            eid,
                            "participant",
                            rng.randint(1, 5),
                            rng.randint(1, 5),
                            rng.randint(1, 5),
                            rng.choice(FEEDBACK_TEXT),
                            "received",
                            rng.random() < 0.3,
                            when,
                            when,
                        )
                    )
                    feedback_rows += 1
        _reset_sequences(
            cur,
            [
                "module",
                "module_version",
                "cohort",
                "release",
                "user_account",
                "enrolment",
                "role_grant",
                "consent_record",
                "progress",
                "feedback_item",
            ],
        )
        conn.commit()
        cur.execute("ANALYZE")
    return {
        "participants": scale.participants,
        "module versions": len(versions),
        "cohorts": len(cohorts),
        "releases": sum(len(v) for v in releases.values()),
        "progress": progress_rows,
        "feedback": feedback_rows,
    }


def add_feedback(dsn: str, per_participant: int, seed: int = 7) -> int:
    """More feedback for the memory benchmark: items on releases that have none yet."""
    rng = random.Random(seed)
    added = 0
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        rows = cur.execute(
            "SELECT e.id, r.module_version_id, r.release_at FROM enrolment e"
            " JOIN release r ON r.cohort_id = e.cohort_id"
            " WHERE NOT EXISTS (SELECT 1 FROM feedback_item f WHERE f.enrolment_id = e.id"
            " AND f.module_version_id = r.module_version_id)"
            " ORDER BY e.id, r.release_at"
        )
        chosen: list[tuple[int, int, datetime]] = []
        counts: dict[int, int] = {}
        for eid, vid, at in rows:
            if counts.get(eid, 0) < per_participant:
                counts[eid] = counts.get(eid, 0) + 1
                chosen.append((eid, vid, at))
        with cur.copy(
            "COPY feedback_item (module_version_id, enrolment_id, source, relevance, quality,"
            " applicability, text, status, notify_on_action, created_at, updated_at)"
            " FROM STDIN"
        ) as copy:
            for eid, vid, at in chosen:
                when = at + timedelta(days=3)
                copy.write_row(
                    (
                        vid,
                        eid,
                        "participant",
                        rng.randint(1, 5),
                        rng.randint(1, 5),
                        rng.randint(1, 5),
                        rng.choice(FEEDBACK_TEXT),
                        "received",
                        False,
                        when,
                        when,
                    )
                )
                added += 1
        conn.commit()
        cur.execute("ANALYZE feedback_item")
    return added
