"""What an export covers: the regions and pilots asked for (checked against the evaluator's
grants), a UK date range and the free-text option.

The web form and the API read the same parameters through ``parse_request``, so both give
the same answers to bad input: a message per parameter, and nothing about regions or pilots
the person may not see (an ungranted scope and one that does not exist read alike).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from futuredoctor import clock
from futuredoctor.date_input import DateInputError, date_from_text
from futuredoctor.evaluation.schema import FREE_TEXT_FIELDS
from futuredoctor.extensions import db
from futuredoctor.models import (
    EvaluationAccess,
    EvaluationProject,
    Pilot,
    Region,
    User,
    utcnow,
)
from futuredoctor.permissions import (
    ROLE_PERMISSIONS,
    Permission,
    can_access,
    has_permission,
)
from futuredoctor.refusals import Refusal
from futuredoctor.timezones import local_zone
from futuredoctor.typed_text import control_problem

EXPORT = Permission.EXPORT_EVALUATION
EARLIEST = date(2020, 1, 1)
MAX_DAYS_AHEAD = 365
_TRUE = {"1", "true", "yes", "y", "on"}
_FALSE = {"", "0", "false", "no", "n", "off"}
UNGRANTED = "Select only regions or pilots you have evaluation access to"


@dataclass(frozen=True)
class ScopeChoice:
    value: str  # "region:LON" or "pilot:lon-inclusion-health"
    label: str
    region_id: int | None
    pilot_id: int | None


@dataclass(frozen=True)
class ExportScope:
    """A validated export request; carries everything the table queries need."""

    user_id: int
    choices: tuple[ScopeChoice, ...]
    date_from: date
    date_to: date
    free_text: frozenset[str]  # "feedback.text"...: the free-text fields to include
    as_of: datetime  # consent is judged as at this instant, the same for every file
    project_id: int = 0
    project_name: str = ""
    key_fingerprint: str = ""
    kind: str = "participant"  # or "aggregate"
    approval_reference: str = ""
    # Worked out once per package while it is written (the k-anonymity plan).
    context: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def include_free_text(self) -> bool:
        return bool(self.free_text)

    def wants_text(self, table: str) -> bool:
        """Whether any free-text field of ``table`` is in the package."""
        return any(key.startswith(f"{table}.") for key in self.free_text)

    @property
    def start(self) -> datetime:
        """The first instant of ``date_from`` in UK time, in UTC."""
        return _local_midnight(self.date_from)

    @property
    def end(self) -> datetime:
        """The first instant after ``date_to`` in UK time, in UTC (exclusive)."""
        return _local_midnight(self.date_to + timedelta(days=1))

    def pilot_ids(self) -> sa.Select[Any]:
        """A subquery of the pilots in scope."""
        region_ids = [c.region_id for c in self.choices if c.region_id]
        pilot_ids = [c.pilot_id for c in self.choices if c.pilot_id]
        return sa.select(Pilot.id).where(
            sa.or_(Pilot.region_id.in_(region_ids), Pilot.id.in_(pilot_ids))
        )

    def region_ids(self) -> sa.Select[Any]:
        return sa.select(Pilot.region_id).where(Pilot.id.in_(self.pilot_ids()))

    def record_scope(self) -> dict[str, Any]:
        """The scope as written to the export record."""
        return {
            "project_id": self.project_id,
            "project": self.project_name,
            "key_fingerprint": self.key_fingerprint,
            "kind": self.kind,
            "approval_reference": self.approval_reference,
            "scopes": [c.value for c in self.choices],
            "labels": [c.label for c in self.choices],
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
        }

    def record_options(self) -> dict[str, Any]:
        return {
            "include_free_text": self.include_free_text,
            "free_text_fields": sorted(self.free_text),
            "as_of": self.as_of.isoformat(),
        }


class ExportRequestError(Refusal):
    """Bad parameters, all named at once: ``errors`` maps each parameter to one message
    (the web form shows each next to its field; the API lists them all)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(next(iter(errors), None), "; ".join(errors.values()))
        self.errors = errors


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=local_zone()).astimezone(UTC)


def scope_choices(user: User) -> list[ScopeChoice]:
    """The regions and pilots the person holds evaluation grants for (every region for a
    national admin), in a stable order."""
    national = any(
        g.region_id is None and g.pilot_id is None and EXPORT in ROLE_PERMISSIONS[g.role]
        for g in user.grants
    )
    if national:
        regions = db.session.scalars(sa.select(Region).order_by(Region.name))
        return [_region_choice(r) for r in regions]
    choices = []
    for grant in user.grants:
        if EXPORT not in ROLE_PERMISSIONS[grant.role]:
            continue
        if grant.region is not None:
            choices.append(_region_choice(grant.region))
        elif grant.pilot is not None:
            choices.append(_pilot_choice(grant.pilot))
    unique = {c.value: c for c in choices}
    return sorted(unique.values(), key=lambda c: (c.region_id is None, c.label))


def _region_choice(region: Region) -> ScopeChoice:
    return ScopeChoice(f"region:{region.code}", f"{region.name} (region)", region.id, None)


def _pilot_choice(pilot: Pilot) -> ScopeChoice:
    return ScopeChoice(f"pilot:{pilot.slug}", f"{pilot.name} (pilot)", None, pilot.id)


def resolve_choice(user: User, value: str) -> ScopeChoice | None:
    """A region or pilot named ``region:CODE`` / ``pilot:slug`` that the person may export,
    or None (unknown and ungranted are not told apart)."""
    kind, _, key = value.strip().partition(":")
    record: Region | Pilot | None = None
    if kind == "region" and key:
        record = db.session.scalar(sa.select(Region).where(Region.code == key))
    elif kind == "pilot" and key:
        record = db.session.scalar(sa.select(Pilot).where(Pilot.slug == key))
    if record is None or not can_access(user, EXPORT, record):
        return None
    return _region_choice(record) if isinstance(record, Region) else _pilot_choice(record)


def parse_date(text: str | None, what: str = "The date") -> date | None:
    """A UK date (23/11/2026, 23-11-2026, 23.11.2026) or ISO 8601 (2026-11-23); None when
    blank; DateInputError (a ValueError) when malformed or not a real date."""
    return date_from_text(text, what=what)


def parse_flag(text: str | None) -> bool:
    value = (text or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(value)


def parse_request(
    user: User,
    scopes: Iterable[str],
    date_from: str | None,
    date_to: str | None,
    include_free_text: str | None,
    default_to_all: bool = False,
    free_text_fields: Iterable[str] | None = None,
    project: str | None = None,
    kind: str | None = None,
) -> ExportScope:
    """Validate an export request; raise ExportRequestError naming every bad parameter.

    With ``default_to_all`` (the API), no scope means every granted scope and a missing
    date means 1 January 2020 / today.
    """
    if not has_permission(user, EXPORT):
        raise PermissionError("not an evaluator")
    errors: dict[str, str] = {}
    values = [v for v in (s.strip() for s in scopes) if v]
    chosen: dict[str, ScopeChoice] = {}
    if any(control_problem(v) for v in values):
        errors["scope"] = "Select regions or pilots from the list"
        values = []
    elif not values and default_to_all:
        chosen = {c.value: c for c in scope_choices(user)}
    elif not values:
        errors["scope"] = "Select at least one region or pilot"
    for value in values:
        choice = resolve_choice(user, value)
        if choice is None:
            errors["scope"] = UNGRANTED
            break
        chosen[choice.value] = choice
    if not chosen and "scope" not in errors:
        errors["scope"] = "You do not have evaluation access to any region or pilot"

    access = _project_access(user, project, errors)
    if access is not None:
        if values or not default_to_all:
            outside = [c for c in chosen.values() if not _in_project(c, access.project.scopes)]
            if outside and "scope" not in errors:
                errors["scope"] = f"Select only regions or pilots in {access.project.name}"
        else:  # the API's "everything": everything granted within the project
            chosen = {k: c for k, c in chosen.items() if _in_project(c, access.project.scopes)}
    package_kind = (kind or "").strip() or (
        "participant" if access is None or access.participant_level else "aggregate"
    )
    if package_kind not in ("aggregate", "participant"):
        errors["kind"] = "Select an aggregate or a participant-level package"
    elif package_kind == "participant" and access is not None and not access.participant_level:
        errors["kind"] = (
            f"Your access to {access.project.name} is for aggregate packages only: "
            "participant-level data needs an approval recorded on your access"
        )

    today = clock.today_uk()
    dates: dict[str, date | None] = {}
    for name, raw, label in (("date_from", date_from, "start"), ("date_to", date_to, "end")):
        try:
            dates[name] = parse_date(raw, f"The {label} date")
        except DateInputError as problem:
            errors[name] = problem.message
            continue
        day = dates[name]
        if day is None:
            if default_to_all:
                # An omitted end is today, or the start when that is later: a range is
                # never refused for a value the caller did not send.
                start_day = dates.get("date_from") or EARLIEST
                dates[name] = EARLIEST if name == "date_from" else max(today, start_day)
            else:
                errors[name] = f"Enter a {label} date"
        elif day < EARLIEST:
            errors[name] = f"The {label} date must be on or after 1 January 2020"
        elif not default_to_all and day > today + timedelta(days=MAX_DAYS_AHEAD):
            # A typo guard for people; a script may ask "up to the end of the year".
            errors[name] = f"The {label} date must be no more than a year from today"
    start, end = dates.get("date_from"), dates.get("date_to")
    if start and end and not errors.keys() & {"date_from", "date_to"} and end < start:
        errors["date_to"] = "The end date must be the same as or after the start date"

    free_text: frozenset[str] = frozenset()
    if free_text_fields is not None and set(free_text_fields) - set(FREE_TEXT_FIELDS):
        errors["free_text"] = "Select free-text fields from the list"
    try:
        if parse_flag(include_free_text):
            # Every free-text field, unless the evaluator left some out.
            keys = set(FREE_TEXT_FIELDS)
            if free_text_fields is not None:
                keys &= set(free_text_fields)
            free_text = frozenset(keys)
    except ValueError:
        errors["include_free_text"] = "include_free_text must be true or false"

    if errors:
        raise ExportRequestError(errors)
    if package_kind == "aggregate":
        free_text = frozenset()  # counts only: there is no free text to include
    assert start is not None and end is not None and access is not None
    return ExportScope(
        user_id=user.id,
        choices=tuple(sorted(chosen.values(), key=lambda c: c.value)),
        date_from=start,
        date_to=end,
        free_text=free_text,
        as_of=utcnow(),
        project_id=access.project.id,
        project_name=access.project.name,
        key_fingerprint=access.project.key_fingerprint,
        kind=package_kind,
        approval_reference=(
            (access.approval_reference or "") if package_kind == "participant" else ""
        ),
    )


NO_PROJECT = "You are not attached to an evaluation project: ask a national administrator"


def _project_access(
    user: User, project: str | None, errors: dict[str, str]
) -> EvaluationAccess | None:
    """The person's access to the project named by id; the only one when none is named."""
    mine = {str(a.project_id): a for a in user_access(user)}
    wanted = (project or "").strip()
    if not wanted and len(mine) == 1:
        return next(iter(mine.values()))
    if not mine:
        errors["project"] = NO_PROJECT
    elif not wanted:
        errors["project"] = "Select an evaluation project"
    elif wanted not in mine:
        errors["project"] = "Select one of your evaluation projects"
    return mine.get(wanted)


def user_access(user: User) -> list[EvaluationAccess]:
    stmt = (
        sa.select(EvaluationAccess)
        .join(EvaluationProject)
        .where(EvaluationAccess.user_id == user.id)
        .order_by(EvaluationProject.name)
    )
    return list(db.session.scalars(stmt))


def _in_project(choice: ScopeChoice, scopes: list[str]) -> bool:
    """A region in the project covers its pilots; a pilot covers only itself."""
    if choice.value in scopes:
        return True
    if choice.pilot_id is not None:
        pilot = db.session.get(Pilot, choice.pilot_id)
        return pilot is not None and f"region:{pilot.region.code}" in scopes
    return False
