"""Syncing content into the database: complete, idempotent, versioned, all-or-nothing."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from futuredoctor.content import ContentError, sync_content
from futuredoctor.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    FeedbackItem,
    FeedbackSource,
    Framework,
    FrameworkDomain,
    Module,
    ModuleVersion,
    Pilot,
    Region,
    User,
)

ROOT = Path(__file__).resolve().parents[2]
MODULE = "shared-decision-making"
TABLES = (Framework, FrameworkDomain, Region, Pilot, Cohort, Module, ModuleVersion)


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    modules = shutil.copytree(ROOT / "modules_content", tmp_path / "modules_content")
    regions = shutil.copytree(ROOT / "regions", tmp_path / "regions")
    return modules, regions


def counts(session: Session) -> dict[str, int]:
    return {
        model.__name__: session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
        for model in TABLES
    }


@contextmanager
def statements(session: Session) -> Iterator[list[str]]:
    """Collect the SQL statements run inside the block."""
    seen: list[str] = []
    engine = session.get_bind()

    def listener(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_first_sync_creates_everything(empty_db_session: Session, dirs: tuple[Path, Path]) -> None:
    report = sync_content(empty_db_session, *dirs)
    assert report.frameworks_created == ["GPC"]
    assert report.domains_created == [f"GPC{n}" for n in range(1, 10)]
    assert (len(report.regions_created), len(report.pilots_created)) == (7, 7)
    assert len(report.cohorts_created) == 14
    assert (len(report.modules_created), len(report.versions_created)) == (12, 12)
    assert report.unchanged == 0
    assert counts(empty_db_session) == {
        "Framework": 1,
        "FrameworkDomain": 9,
        "Region": 7,
        "Pilot": 7,
        "Cohort": 14,
        "Module": 12,
        "ModuleVersion": 12,
    }
    version = empty_db_session.scalars(
        sa.select(ModuleVersion).join(Module).where(Module.slug == MODULE)
    ).one()
    assert version.number == 1
    assert [d.code for d in version.domains] == ["GPC1", "GPC2"]  # ordered by position
    assert version.estimated_minutes == 30
    assert version.body_markdown.startswith("## ")
    assert len(version.content_hash) == 64
    cohort = empty_db_session.scalars(
        sa.select(Cohort).where(Cohort.slug == "mid-2026-autumn")
    ).one()
    assert cohort.pilot.region.code == "MID"
    assert cohort.eligible_professional_groups == ["doctor"]
    assert cohort.eligible_career_stages == ["FY2", "CT1", "CT2", "ST1", "ST2"]


def test_second_sync_changes_nothing(empty_db_session: Session, dirs: tuple[Path, Path]) -> None:
    sync_content(empty_db_session, *dirs)
    empty_db_session.commit()
    before = counts(empty_db_session)
    empty_db_session.expire_all()
    with statements(empty_db_session) as seen:
        report = sync_content(empty_db_session, *dirs)
    assert not report.changed
    assert report.unchanged == 1 + 9 + 7 + 7 + 14 + 12 + 1  # ... and the educator milestones
    assert not empty_db_session.new
    assert not empty_db_session.dirty
    assert counts(empty_db_session) == before
    assert not any(s.lstrip().upper().startswith(("INSERT", "UPDATE")) for s in seen)
    assert len(seen) <= 10, seen  # a fixed handful of queries, however much content


def test_changed_body_creates_version_two_of_that_module_only(
    empty_db_session: Session, dirs: tuple[Path, Path]
) -> None:
    sync_content(empty_db_session, *dirs)
    edit(dirs[0] / MODULE / "module.md", "## Why this matters", "## Why this really matters")
    report = sync_content(empty_db_session, *dirs)
    assert report.versions_created == [f"{MODULE} v2"]
    assert report.modules_created == []
    numbers = {
        module.slug: [v.number for v in module.versions]
        for module in empty_db_session.scalars(sa.select(Module))
    }
    assert numbers.pop(MODULE) == [1, 2]
    assert set(map(tuple, numbers.values())) == {(1,)}
    module = empty_db_session.scalars(sa.select(Module).where(Module.slug == MODULE)).one()
    assert "really matters" in module.latest.body_markdown
    assert [d.code for d in module.latest.domains] == ["GPC1", "GPC2"]


def test_version_number_follows_the_front_matter_when_higher(
    empty_db_session: Session, dirs: tuple[Path, Path]
) -> None:
    sync_content(empty_db_session, *dirs)
    path = dirs[0] / MODULE / "module.md"
    edit(path, "version: 1\n", "version: 4\n")
    assert not sync_content(empty_db_session, *dirs).changed  # a bare number bump is not a change
    edit(path, "changelog: First release", "changelog: Clearer risk examples. First release")
    assert sync_content(empty_db_session, *dirs).versions_created == [f"{MODULE} v4"]


def test_changed_cohort_is_updated_in_place(
    empty_db_session: Session, dirs: tuple[Path, Path]
) -> None:
    sync_content(empty_db_session, *dirs)
    edit(dirs[1] / "london.toml", "capacity = 150", "capacity = 140")
    report = sync_content(empty_db_session, *dirs)
    assert report.cohorts_updated == ["lon-2027-spring"]
    assert report.cohorts_created == []
    cohort = empty_db_session.scalars(
        sa.select(Cohort).where(Cohort.slug == "lon-2027-spring")
    ).one()
    assert cohort.capacity == 140


def test_broken_content_raises_and_writes_nothing(
    empty_db_session: Session, dirs: tuple[Path, Path]
) -> None:
    edit(
        dirs[1] / "london.toml",
        "start_date = 2026-08-03\n",
        'start_date = 2026-08-03\nlead = "X"\n',
    )
    with pytest.raises(ContentError) as raised:
        sync_content(empty_db_session, *dirs)
    assert [p.field for p in raised.value.problems] == ["pilots[0].lead"]
    assert "london.toml" in str(raised.value)
    assert not empty_db_session.new
    assert set(counts(empty_db_session).values()) == {0}


def test_broken_content_after_a_good_sync_leaves_it_alone(
    empty_db_session: Session, dirs: tuple[Path, Path]
) -> None:
    sync_content(empty_db_session, *dirs)
    before = counts(empty_db_session)
    edit(dirs[0] / MODULE / "module.md", "## Why this matters", "## Changed")
    edit(dirs[0] / "teaching-on-the-job" / "module.md", "  - GPC8\n", "  - GPC10\n")
    with pytest.raises(ContentError):
        sync_content(empty_db_session, *dirs)
    assert not empty_db_session.new
    assert counts(empty_db_session) == before


def test_sync_flushes_but_never_commits(empty_db_session: Session, dirs: tuple[Path, Path]) -> None:
    sync_content(empty_db_session, *dirs)
    assert counts(empty_db_session)["Module"] == 12
    empty_db_session.rollback()
    assert set(counts(empty_db_session).values()) == {0}


def test_capacity_shrinks_only_to_the_places_already_given(
    empty_db_session: Session, dirs: tuple[Path, Path]
) -> None:
    from futuredoctor.models import EnrolmentStatus
    from tests.factories import make_enrolment, make_user

    sync_content(empty_db_session, *dirs)
    cohort = empty_db_session.scalars(
        sa.select(Cohort).where(Cohort.slug == "lon-2027-spring")
    ).one()
    for _ in range(3):
        make_enrolment(make_user(), cohort)
    make_enrolment(make_user(), cohort, status=EnrolmentStatus.WAITLISTED)  # holds no place
    edit(dirs[1] / "london.toml", "capacity = 150", "capacity = 2")
    with pytest.raises(ContentError) as raised:
        sync_content(empty_db_session, *dirs)
    [problem] = raised.value.problems
    assert problem.field == "pilots[0].cohorts[1].capacity"
    assert "2 is fewer than the 3 places already given" in problem.message
    line = (dirs[1] / "london.toml").read_text().splitlines()[problem.line - 1]
    assert line.strip() == "capacity = 2"
    assert cohort.capacity == 150
    edit(dirs[1] / "london.toml", "capacity = 2", "capacity = 3")
    assert sync_content(empty_db_session, *dirs).cohorts_updated == ["lon-2027-spring"]
    assert cohort.capacity == 3


def test_a_cohort_moved_to_another_pilot_takes_its_feedback_with_it(
    empty_db_session: Session, dirs: tuple[Path, Path]
) -> None:
    """Each feedback item keeps its pilot (the inbox scopes by it): moving a cohort to
    another pilot in the content moves its participants' feedback too."""
    session = empty_db_session
    sync_content(session, *dirs)
    cohort = session.scalars(sa.select(Cohort).where(Cohort.slug == "lon-2027-spring")).one()
    version = session.scalars(
        sa.select(ModuleVersion).join(Module).where(Module.slug == MODULE)
    ).one()
    person = User(
        email="moved@example.nhs.uk", given_name="Moved", family_name="Person", password_hash="x"
    )
    enrolment = Enrolment(user=person, cohort=cohort, status=EnrolmentStatus.ENROLLED)
    item = FeedbackItem(
        module_version=version, enrolment=enrolment, source=FeedbackSource.PARTICIPANT
    )
    session.add(item)
    session.flush()
    assert item.scope_pilot_id == cohort.pilot_id
    london = dirs[1] / "london.toml"
    text = london.read_text(encoding="utf-8")
    block = text[text.rindex("[[pilots.cohorts]]") :]
    london.write_text(text.removesuffix(block), encoding="utf-8")
    south_west = dirs[1] / "south-west.toml"
    south_west.write_text(south_west.read_text(encoding="utf-8") + "\n" + block, encoding="utf-8")
    sync_content(session, *dirs)
    session.expire_all()
    moved = session.get(FeedbackItem, item.id)
    assert moved is not None and moved.scope_pilot_id == moved.enrolment.cohort.pilot_id
    assert moved.enrolment.cohort.pilot.region.code == "SW"
