"""Writing a fully validated enrolment file: accounts, role grants, enrolments,
invitations and emails, each as a few bulk statements inside the caller's transaction."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import sqlalchemy as sa

from futuredoctor import audit
from futuredoctor.enrolment import bulk, invitations
from futuredoctor.enrolment.capacity import SEAT_STATUSES
from futuredoctor.enrolment.csv_import import ImportPlan, Person
from futuredoctor.extensions import db
from futuredoctor.models import Cohort, Enrolment, EnrolmentStatus, Role, RoleGrant, User, utcnow


@dataclass
class ImportResult:
    enrolled: int
    waitlisted: int
    new_accounts: int
    by_cohort: dict[str, int]


def commit(plan: ImportPlan, actor: User, filename: str) -> ImportResult:
    """Write a fully valid plan: accounts, role grants, enrolments, invitations, emails.

    The request door commits once; any failure rolls everything back."""
    assert plan.ok, "only a fully valid file is committed"
    now = utcnow()
    new_people = [p for p in plan.people if p.email not in plan.users]
    new_ids: dict[str, int] = {}
    if new_people:
        rows = [
            {
                "email": p.email,
                "given_name": p.given_name,
                "family_name": p.family_name,
                "professional_group": p.group,
                "registration_body": p.body,
                "registration_number": p.number or None,
                "career_stage": p.stage,
                "employer": p.employer,
                "created_at": now,
            }
            for p in new_people
        ]
        users = cast(sa.Table, User.__table__)
        created = bulk.insert(users, rows, (users.c.id, users.c.email))
        new_ids = {email: uid for uid, email in created}
    user_id = {**{e: uid for e, (uid, _) in plan.users.items()}, **new_ids}
    grant_ids = sorted(
        {user_id[p.email] for p in plan.people if not plan.users.get(p.email, (0, False))[1]}
    )
    if grant_ids:
        bulk.insert(
            cast(sa.Table, RoleGrant.__table__),
            [{"user_id": uid, "role": Role.PARTICIPANT, "granted_at": now} for uid in grant_ids],
        )

    def status_fields(person: Person) -> dict[str, object]:
        """Every row carries the same keys, as bulk statements need."""
        if person.waitlisted:
            return {"status": EnrolmentStatus.WAITLISTED, "waitlisted_at": now, "enrolled_at": None}
        return {"status": EnrolmentStatus.ENROLLED, "enrolled_at": now, "waitlisted_at": None}

    inserts: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []
    enrolments: list[tuple[int, int, int, EnrolmentStatus]] = []
    for p in plan.people:
        assert p.cohort is not None
        uid = user_id[p.email]
        fields = status_fields(p)
        existing = plan.withdrawn.get((uid, p.cohort.id))
        if existing is None:
            inserts.append({"user_id": uid, "cohort_id": p.cohort.id, "created_at": now, **fields})
        else:  # re-enrolment re-uses the withdrawn row (one row per person and cohort)
            updates.append({"id": existing, "withdrawn_at": None, **fields})
            enrolments.append((existing, uid, p.cohort.id, fields["status"]))  # type: ignore[arg-type]
    if inserts:
        table = cast(sa.Table, Enrolment.__table__)
        returning = (table.c.id, table.c.user_id, table.c.cohort_id, table.c.status)
        enrolments.extend(tuple(row) for row in bulk.insert(table, inserts, returning))
    if updates:
        db.session.execute(sa.update(Enrolment), updates)
    cohorts = {p.cohort.id: p.cohort for p in plan.people if p.cohort is not None}
    placed = [(eid, cohorts[cid]) for eid, _, cid, status in enrolments if status in SEAT_STATUSES]
    invitations.invite_many(placed, actor)
    waiting = [
        (eid, uid, cohorts[cid]) for eid, uid, cid, s in enrolments if s not in SEAT_STATUSES
    ]
    _queue_waitlisted(waiting, now)
    by_cohort: dict[str, int] = defaultdict(int)
    for p in plan.people:
        by_cohort[p.cohort.slug] += 1  # type: ignore[union-attr]
    result = ImportResult(
        enrolled=len(placed),
        waitlisted=len(waiting),
        new_accounts=len(new_ids),
        by_cohort=dict(by_cohort),
    )
    audit.record(
        "enrolment.imported",
        actor=actor,
        filename=filename[:200],
        enrolled=result.enrolled,
        waitlisted=result.waitlisted,
        new_accounts=result.new_accounts,
        cohorts=result.by_cohort,
    )
    return result


def _queue_waitlisted(waiting: list[tuple[int, int, Cohort]], now: datetime) -> None:
    rows = [
        {
            "kind": "enrolment_waitlisted",
            "recipient_id": uid,
            "subject_key": f"waitlisted:{eid}:{now.isoformat()}",
            "title": f"You are on the waitlist for {cohort.name}",
            "body": (
                f"{cohort.name} of {cohort.pilot.name} is full, so you are on its waitlist. "
                "We will email you an invitation as soon as a place becomes free."
            ),
            "payload": {"cohort": cohort.slug},
        }
        for eid, uid, cohort in waiting
    ]
    invitations.queue_bulk(rows)
