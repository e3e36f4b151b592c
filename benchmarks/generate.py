"""A national-scale data set: 60,000 participants, 300 module versions, 1.5 million progress
rows and 600,000 feedback items, 2,000 champion profiles and 100,000 trailblazer network
posts, written with PostgreSQL COPY so it takes seconds, not hours.

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
    champions: int = 2_000
    network_posts: int = 100_000
    opportunities: int = 20_000  # by champions, one every two hours for four and a half years

    @classmethod
    def small(cls) -> Scale:
        return cls(
            participants=3_000, synthetic_modules=24, cohorts_per_pilot=3, opportunities=1_000
        )


FEEDBACK_TEXT = [
    "Clear and practical; I used the handover checklist the next day.",
    "Too long for a night shift, but the case was realistic.",
    '=HYPERLINK("http://example.invalid","click")',
    "Would like more on community settings,\nnot only wards.",
    "Good discussion prompts\tfor our team meeting.",
    '"Quoted" feedback with, commas',
]


NETWORK_WORDS = [
    "handover",
    "checklist",
    "huddle",
    "coastal",
    "outreach",
    "homeless",
    "frailty",
    "pharmacy",
    "teaching",
    "simulation",
    "rural",
    "deprivation",
    "migrant",
    "multimorbidity",
    "mentoring",
    "night",
    "clinic",
    "community",
]
PROFESSIONS = ["GP", "Nurse", "Pharmacist", "Physiotherapist", "Paramedic", "Psychiatrist"]
OFFERS = ["talks", "taster_sessions", "shadowing", "mentoring", "careers_advice"]


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
        pilot_of: dict[int, int] = {}  # cohort -> pilot, for feedback's scope_pilot_id
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
                    pilot_of[cohort_id] = pilot_id
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
            "COPY feedback_item (module_version_id, enrolment_id, scope_pilot_id, source,"
            " relevance, quality, applicability, text, status, notify_on_action, created_at,"
            " updated_at) FROM STDIN"
        ) as copy:
            for _, eid, cid in people:
                for _, vid, at in releases[cid][: scale.feedback_per_participant]:
                    when = at + timedelta(days=2)
                    copy.write_row(
                        (
                            vid,
                            eid,
                            pilot_of[cid],
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
        champions, posts = _add_network(cur, scale, rng, password_hash, synthetic)
        opportunities = _add_opportunities(cur, scale, rng)
        _reset_sequences(
            cur,
            [
                "champion_profile",
                "champion_interest",
                "network_post",
                "network_post_tag",
                "opportunity",
                "opportunity_audience",
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
        "champions": champions,
        "network posts": posts,
        "opportunities": opportunities,
    }


def _add_network(
    cur: psycopg.Cursor, scale: Scale, rng: random.Random, password_hash: str, versions: list[int]
) -> tuple[int, int]:
    """Champions with profiles (two in three listed publicly) in every region, and network
    posts by them over the past year, each tagged with two GPC domains and a priority,
    half about a module; one in fifty hidden. Returns (champions, posts)."""
    now = clock.now()
    regions = cur.execute("SELECT id, priorities FROM region ORDER BY id").fetchall()
    domains = [r[0] for r in cur.execute("SELECT code FROM framework_domain ORDER BY position")]
    modules = [
        r[0]
        for r in cur.execute(
            "SELECT DISTINCT module_id FROM module_version WHERE id = ANY(%s)", (versions,)
        )
    ] or [r[0] for r in cur.execute("SELECT id FROM module")]
    gpc = [d for d in domains if d.startswith("GPC")] or domains
    user_id = _next_id(cur, "user_account")
    profile_id = _next_id(cur, "champion_profile")
    people = [
        (user_id + n, profile_id + n, regions[n % len(regions)]) for n in range(scale.champions)
    ]
    with cur.copy(
        "COPY user_account (id, email, given_name, family_name, password_hash, is_enabled,"
        " professional_group, career_stage, failed_login_count, session_version,"
        " digest_opt_out, email_notifications, created_at) FROM STDIN"
    ) as copy:
        for n, (uid, _, _) in enumerate(people):
            copy.write_row(
                (
                    uid,
                    f"bench-champion{n}@example.nhs.uk",
                    rng.choice(["Alex", "Sam", "Priya", "Tomasz", "Aisha", "Morgan"]),
                    f"Champion {n}",
                    password_hash,
                    True,
                    "doctor",
                    "other",
                    0,
                    1,
                    False,
                    True,
                    now,
                )
            )
    with cur.copy("COPY role_grant (user_id, role, region_id, granted_at) FROM STDIN") as copy:
        for uid, _, (region_id, _) in people:
            copy.write_row((uid, "champion", region_id, now))
    with cur.copy(
        "COPY champion_profile (id, user_id, region_id, profession, job_title, about,"
        " availability, visibility, updated_at) FROM STDIN"
    ) as copy:
        for n, (uid, pid, (region_id, _)) in enumerate(people):
            words = " ".join(rng.sample(NETWORK_WORDS, 4))
            copy.write_row(
                (
                    pid,
                    uid,
                    region_id,
                    PROFESSIONS[n % len(PROFESSIONS)],
                    "Generalist champion",
                    f"I help colleagues with {words}.",
                    "Weekday evenings",
                    "public" if n % 3 else "signed_in",
                    now,
                )
            )
    with cur.copy("COPY champion_interest (profile_id, kind, value) FROM STDIN") as copy:
        for _, pid, (_, priorities) in people:
            for code in rng.sample(gpc, 2):
                copy.write_row((pid, "domain", code))
            for priority in list(priorities or [])[:1]:
                copy.write_row((pid, "priority", priority))
            copy.write_row((pid, "offer", rng.choice(OFFERS)))
    post_id = _next_id(cur, "network_post")
    rows = []
    for n in range(scale.network_posts if people else 0):
        uid, _, (region_id, priorities) = people[n % len(people)]
        when = now - timedelta(minutes=n * 5 + rng.randint(0, 4))
        words = rng.sample(NETWORK_WORDS, 3)
        rows.append(
            (
                post_id + n,
                uid,
                f"What we learned about {words[0]} and {words[1]} ({n})",
                f"We tried a **{words[2]}** idea in clinic.\n\n- it helped\n- we will keep it",
                region_id,
                rng.choice(modules) if n % 2 else None,
                when,
                when,
                when if n % 50 == 0 else None,
                "Benchmark: hidden" if n % 50 == 0 else "",
                [("domain", d) for d in rng.sample(gpc, 2)]
                + [("priority", p) for p in list(priorities or [])[:1]],
            )
        )
    with cur.copy(
        "COPY network_post (id, author_id, title, body, region_id, module_id, created_at,"
        " updated_at, hidden_at, hidden_reason) FROM STDIN"
    ) as copy:
        for row in rows:
            copy.write_row(row[:-1])
    with cur.copy("COPY network_post_tag (post_id, kind, value) FROM STDIN") as copy:
        for row in rows:
            for kind, value in row[-1]:
                copy.write_row((row[0], kind, value))
    return len(people), len(rows)


OPPORTUNITY_KINDS = ["event", "webinar", "taster_day", "shadowing", "placement", "talk"]


def _add_opportunities(cur: psycopg.Cursor, scale: Scale, rng: random.Random) -> int:
    """Opportunities by the champions, nearly all of them past (one every two hours going
    back), the newest hundred still to come; one in two meant for the organiser's region,
    one in four for two career stages, one in three public. Returns how many."""
    now = clock.now()
    organisers = cur.execute(
        "SELECT p.user_id, p.region_id, r.code FROM champion_profile p"
        " JOIN region r ON r.id = p.region_id ORDER BY p.id"
    ).fetchall()
    if not organisers or not scale.opportunities:
        return 0
    first = _next_id(cur, "opportunity")
    audience: list[tuple[int, str, str]] = []
    with cur.copy(
        "COPY opportunity (id, organiser_id, region_id, kind, title, description, location,"
        " starts_at, ends_at, closes_at, capacity, places_taken, is_public, created_at)"
        " FROM STDIN"
    ) as copy:
        for n in range(scale.opportunities):
            oid = first + n
            user_id, region_id, code = organisers[n % len(organisers)]
            starts = (now + timedelta(hours=2 * (100 - n))).replace(minute=0, second=0)
            kind = OPPORTUNITY_KINDS[n % len(OPPORTUNITY_KINDS)]
            copy.write_row(
                (
                    oid,
                    user_id,
                    region_id,
                    kind,
                    f"{kind.replace('_', ' ').capitalize()} on {rng.choice(NETWORK_WORDS)} ({n})",
                    "An hour with colleagues from across the region.",
                    "https://example.nhs.uk/join",
                    starts,
                    starts + timedelta(hours=1),
                    starts - timedelta(days=1),
                    30,
                    0,
                    n % 3 == 0,
                    starts - timedelta(days=30),
                )
            )
            if n % 2 == 0:
                audience.append((oid, "region", code))
            if n % 4 == 1:
                audience += [(oid, "career_stage", "FY1"), (oid, "career_stage", "FY2")]
    with cur.copy("COPY opportunity_audience (opportunity_id, kind, value) FROM STDIN") as copy:
        for row in audience:
            copy.write_row(row)
    return scale.opportunities


def add_feedback(dsn: str, per_participant: int, seed: int = 7) -> int:
    """More feedback for the memory benchmark: items on releases that have none yet."""
    rng = random.Random(seed)
    added = 0
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        rows = cur.execute(
            "SELECT e.id, r.module_version_id, r.release_at, c.pilot_id FROM enrolment e"
            " JOIN release r ON r.cohort_id = e.cohort_id"
            " JOIN cohort c ON c.id = e.cohort_id"
            " WHERE NOT EXISTS (SELECT 1 FROM feedback_item f WHERE f.enrolment_id = e.id"
            " AND f.module_version_id = r.module_version_id)"
            " ORDER BY e.id, r.release_at"
        )
        chosen: list[tuple[int, int, datetime, int]] = []
        counts: dict[int, int] = {}
        for eid, vid, at, pilot_id in rows:
            if counts.get(eid, 0) < per_participant:
                counts[eid] = counts.get(eid, 0) + 1
                chosen.append((eid, vid, at, pilot_id))
        with cur.copy(
            "COPY feedback_item (module_version_id, enrolment_id, scope_pilot_id, source,"
            " relevance, quality, applicability, text, status, notify_on_action, created_at,"
            " updated_at) FROM STDIN"
        ) as copy:
            for eid, vid, at, pilot_id in chosen:
                when = at + timedelta(days=3)
                copy.write_row(
                    (
                        vid,
                        eid,
                        pilot_id,
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
