"""Bulk enrolment from a CSV file: validate the whole file, then commit all or nothing.

Validation reads every row, then looks people, enrolments and cohorts up in a handful of
set-based queries (never one per row), so a 10,000-row file takes seconds. The cohorts named
in the file are locked while their free places are counted and until the commit, so an
import cannot push a cohort over capacity even with other enrolments happening at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from futuredoctor.enrolment import bulk, csv_format
from futuredoctor.enrolment.capacity import lock_cohorts, seats_taken
from futuredoctor.enrolment.csv_format import FileProblem
from futuredoctor.enrolment.registration import (
    eligibility_problems,
    needs_career_stage,
    normalise_body,
    normalise_group,
    normalise_number,
    normalise_stage,
    registration_problems,
    stage_to_store,
)
from futuredoctor.extensions import db
from futuredoctor.models import Cohort, Enrolment, EnrolmentStatus, Role, RoleGrant, User
from futuredoctor.permissions import Permission, scope_pilots
from futuredoctor.spreadsheet import starts_like_formula
from futuredoctor.typed_text import strip_bidi_controls, text_problem

EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
LIMITS = {"email": 254, "given_name": 100, "family_name": 100, "employer": 200}
CHUNK = 900  # stays under every database's limit on bound parameters


@dataclass
class Person:
    row: int
    email: str
    given_name: str
    family_name: str
    group: str | None
    body: str | None
    number: str
    stage: str | None
    employer: str | None
    cohort_key: str
    cohort: Cohort | None = None
    has_problems: bool = False
    waitlisted: bool = False


@dataclass
class ImportPlan:
    """What the file would do: problems (if any) and the people to enrol."""

    problems: list[FileProblem] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    users: dict[str, tuple[int, bool]] = field(default_factory=dict)  # email -> (id, participant)
    withdrawn: dict[tuple[int, int], int] = field(default_factory=dict)  # (user, cohort) -> id
    default_cohort: str | None = None  # for rows that name no cohort

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.people)


def validate(
    data: bytes,
    actor: User,
    waitlist_overflow: bool,
    today: date,
    default_cohort: str | None = None,
) -> ImportPlan:
    """Check the whole file. From a cohort's own page ``default_cohort`` is its short name:
    the cohort column may then be left out or blank."""
    plan = ImportPlan(default_cohort=default_cohort)
    text, problem = csv_format.decode(data)
    if problem is not None or text is None:
        plan.problems.append(problem or FileProblem(1, None, "The file could not be read"))
        return plan
    try:
        _read_rows(plan, text)
    except csv_format.UnreadableRow as unreadable:
        plan.problems.append(unreadable.problem)
        return plan
    if plan.problems and not plan.people:
        return plan
    if not plan.people and not plan.problems:
        plan.problems.append(FileProblem(2, None, "The file has a header row but no people"))
        return plan
    _check_against_database(plan, actor, waitlist_overflow, today)
    plan.problems.sort(key=lambda p: (p.row, _column_order(p.column)))
    return plan


def _read_rows(plan: ImportPlan, text: str) -> None:
    sheet = csv_format.open_sheet(text)
    optional = csv_format.OPTIONAL_COLUMNS | ({"cohort"} if plan.default_cohort else set())
    positions, header_problems = csv_format.header_problems(sheet.header, frozenset(optional))
    if header_problems:
        plan.problems.extend(header_problems)
        return
    width = len(sheet.header)
    for number, cells in sheet.rows:
        if len(plan.people) >= csv_format.MAX_ROWS:
            plan.problems.append(
                FileProblem(number, None, f"Files can hold at most {csv_format.MAX_ROWS} people")
            )
            break
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            plan.problems.append(
                FileProblem(number, None, f"Row has {len(cells)} values; the header has {width}")
            )
            continue
        plan.people.append(
            _read_person(number, cells, positions, plan.problems, plan.default_cohort)
        )


def _column_order(column: str | None) -> int:
    return csv_format.COLUMNS.index(column) if column in csv_format.COLUMNS else -1


def _read_person(
    number: int,
    cells: list[str],
    positions: dict[str, int],
    problems: list[FileProblem],
    default_cohort: str | None = None,
) -> Person:
    def cell(column: str) -> str:
        index = positions.get(column)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    found: list[FileProblem] = []

    def problem(column: str, message: str) -> None:
        found.append(FileProblem(number, column, message))

    values = {column: strip_bidi_controls(cell(column)) for column in csv_format.COLUMNS}
    unreadable = set()
    for column, value in values.items():
        trouble = text_problem(value)
        if trouble:
            problem(column, trouble[0].upper() + trouble[1:])
            values[column] = ""  # nothing else is checked (or looked up) with it
            unreadable.add(column)
    for column in ("email", "given_name", "family_name", "professional_group"):
        if not values[column] and column not in unreadable:
            problem(column, f"Enter the {column.replace('_', ' ')}")
    if not values["cohort"] and "cohort" not in unreadable and default_cohort:
        values["cohort"] = default_cohort
    if not values["cohort"] and "cohort" not in unreadable:
        problem("cohort", "Enter the cohort's short name, like lon-2027-spring")
    for column, limit in LIMITS.items():
        if len(values[column]) > limit:
            problem(column, f"Must be {limit} characters or fewer")
    for column in ("given_name", "family_name", "employer"):
        if starts_like_formula(values[column]):
            problem(column, "Must not start with = + - or @ (spreadsheets treat it as a formula)")
    email = values["email"].lower()
    if email and len(email) <= LIMITS["email"] and not EMAIL.fullmatch(email):
        problem("email", "Enter an email address in the correct format, like name@example.nhs.uk")
    group = normalise_group(values["professional_group"]) if values["professional_group"] else None
    if values["professional_group"] and group is None:
        problem(
            "professional_group",
            "Must be one of: doctor, nurse, midwife, pharmacist, allied_health, other",
        )
    body = normalise_body(values["registration_body"]) if values["registration_body"] else None
    if values["registration_body"] and body is None:
        problem("registration_body", "Must be one of: GMC, NMC, GPhC, HCPC")
    reg_number = normalise_number(values["registration_number"])
    if group is not None and (body is not None or not values["registration_body"]):
        for p in registration_problems(group, body, reg_number):
            problem(p.field, p.message)
    stage = normalise_stage(values["career_stage"]) if values["career_stage"] else None
    if values["career_stage"] and stage is None:
        problem(
            "career_stage",
            "Must be one of: FY1, FY2, CT1, CT2, CT3, ST1, ST2, ST3, LED, other, "
            "or blank for groups without training grades",
        )
    elif not values["career_stage"] and "career_stage" not in unreadable:
        if needs_career_stage(group) and (group or not values["professional_group"]):
            problem("career_stage", "Enter the career stage (doctors give their training grade)")
        stage = stage_to_store(group, None)
    problems.extend(found)
    person = Person(
        row=number,
        email=email,
        given_name=values["given_name"],
        family_name=values["family_name"],
        group=group,
        body=body,
        number=reg_number,
        stage=stage,
        employer=values["employer"] or None,
        cohort_key=values["cohort"].lower(),
    )
    person.has_problems = bool(found)
    return person


def _check_against_database(
    plan: ImportPlan, actor: User, waitlist_overflow: bool, today: date
) -> None:
    people = plan.people
    keys = sorted({p.cohort_key for p in people if p.cohort_key})
    cohort_ids: dict[str, int] = {}
    for chunk in bulk.chunks(keys):
        stmt = sa.select(Cohort.id, sa.func.lower(Cohort.slug)).where(
            sa.func.lower(Cohort.slug).in_(chunk)
        )
        stmt = scope_pilots(stmt, actor, Permission.MANAGE_ENROLMENT, Cohort.pilot_id)
        cohort_ids.update({slug: cid for cid, slug in db.session.execute(stmt)})
    cohorts = lock_cohorts(cohort_ids.values())
    by_key = {key: cohorts[cid] for key, cid in cohort_ids.items()}

    emails = sorted({p.email for p in people if p.email})
    users: dict[str, tuple[int, str | None, str | None]] = {}
    for condition in bulk.matching(User.email, emails):
        stmt = sa.select(User.id, User.email, User.registration_body, User.registration_number)
        for uid, email, body, number in db.session.execute(stmt.where(condition)):
            users[email] = (uid, body, number)
    participant_ids = _participants([uid for uid, _, _ in users.values()])
    plan.users = {email: (uid, uid in participant_ids) for email, (uid, _, _) in users.items()}

    active: dict[tuple[int, int], EnrolmentStatus] = {}
    user_ids = [uid for uid, _, _ in users.values()]
    for condition in bulk.matching(Enrolment.user_id, user_ids):
        stmt = sa.select(Enrolment.id, Enrolment.user_id, Enrolment.cohort_id, Enrolment.status)
        stmt = stmt.where(condition, Enrolment.cohort_id.in_(list(cohorts)))
        for eid, uid, cid, status in db.session.execute(stmt):
            if status is EnrolmentStatus.WITHDRAWN:
                plan.withdrawn[(uid, cid)] = eid
            else:
                active[(uid, cid)] = status

    numbers = sorted({p.number for p in people if p.number and p.body})
    registered: dict[tuple[str, str], str] = {}
    for condition in bulk.matching(User.registration_number, numbers):
        stmt = sa.select(User.registration_body, User.registration_number, User.email).where(
            condition
        )
        for body, number, email in db.session.execute(stmt):
            registered[(body or "", number or "")] = email

    free = {cid: cohorts[cid].capacity - n for cid, n in seats_taken(cohorts).items()}
    seen_emails: dict[str, int] = {}
    seen_numbers: dict[tuple[str, str], int] = {}
    for person in people:
        person.cohort = by_key.get(person.cohort_key)
        found = _person_problems(person, today, users, active, registered)
        found += _duplicate_problems(person, seen_emails, seen_numbers)
        cohort = person.cohort
        if not person.has_problems and not found and cohort is not None:
            if free[cohort.id] > 0:
                free[cohort.id] -= 1
            elif waitlist_overflow:
                person.waitlisted = True
            else:
                found.append(
                    FileProblem(
                        person.row,
                        "cohort",
                        f"{cohort.name} is full: all {cohort.capacity} places are taken",
                    )
                )
        plan.problems.extend(found)


def _person_problems(
    person: Person,
    today: date,
    users: dict[str, tuple[int, str | None, str | None]],
    active: dict[tuple[int, int], EnrolmentStatus],
    registered: dict[tuple[str, str], str],
) -> list[FileProblem]:
    found: list[FileProblem] = []
    cohort = person.cohort
    if person.cohort_key and cohort is None:
        found.append(
            FileProblem(
                person.row, "cohort", f"No cohort called '{person.cohort_key}' that you manage"
            )
        )
    if cohort is not None:
        if cohort.ends_on < today:
            found.append(
                FileProblem(
                    person.row, "cohort", f"{cohort.name} ended on {cohort.ends_on:%d %B %Y}"
                )
            )
        for p in eligibility_problems(cohort, person.group, person.stage):
            found.append(FileProblem(person.row, p.field, p.message))
        existing = users.get(person.email)
        status = active.get((existing[0], cohort.id)) if existing is not None else None
        if status is EnrolmentStatus.WAITLISTED:
            found.append(
                FileProblem(person.row, "email", f"Already on the waitlist for {cohort.name}")
            )
        elif status is not None:
            found.append(FileProblem(person.row, "email", f"Already enrolled in {cohort.name}"))
    owner = registered.get((person.body or "", person.number)) if person.number else None
    if owner is not None and owner != person.email:
        found.append(
            FileProblem(
                person.row,
                "registration_number",
                "This registration number belongs to an account with a different email address",
            )
        )
    return found


def _duplicate_problems(
    person: Person, seen_emails: dict[str, int], seen_numbers: dict[tuple[str, str], int]
) -> list[FileProblem]:
    """Emails are compared case-insensitively (they are stored lower-cased); registration
    numbers without spaces and in capitals."""
    found: list[FileProblem] = []
    if person.email:
        first = seen_emails.setdefault(person.email, person.row)
        if first != person.row:
            found.append(
                FileProblem(
                    person.row, "email", f"Duplicate: this email address is also on row {first}"
                )
            )
    if person.number and person.body:
        first = seen_numbers.setdefault((person.body, person.number), person.row)
        if first != person.row:
            found.append(
                FileProblem(
                    person.row,
                    "registration_number",
                    f"Duplicate: this registration number is also on row {first}",
                )
            )
    return found


def _participants(user_ids: list[int]) -> set[int]:
    found: set[int] = set()
    for condition in bulk.matching(RoleGrant.user_id, user_ids):
        stmt = sa.select(RoleGrant.user_id).where(condition, RoleGrant.role == Role.PARTICIPANT)
        found.update(db.session.scalars(stmt))
    return found
