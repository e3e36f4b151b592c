"""The k-anonymity check's summary of dates equals a live recount, after any sequence of
changes, and a package's plan is the same whether it reads the summary or counts live.

Random sequences of enrolments, progress, feedback, status changes, consent withdrawals
and renewals, profile changes, withdrawals and deletions run; after every few, the plan is
worked out from the summary as it stands (some cohorts marked stale, counted live) and
after the scheduler's recount (every cohort read from its cells), and compared with the
plan from the live count of the package's own rows, for every k from 1 to 7 and for a
package covering every date and one covering only the last few weeks. On PostgreSQL the
participants' own groups are counted in SQL too: compared with Python level by level.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from futuredoctor import clock
from futuredoctor.enrolment.capacity import withdraw
from futuredoctor.evaluation import dated_summary
from futuredoctor.evaluation.dated_rows import dated_rows
from futuredoctor.evaluation.kanonymity import STEPS, Plan, _key, _participant_rows, make_plan
from futuredoctor.evaluation.participant_groups import has_small_group
from futuredoctor.evaluation.scope import EARLIEST, ExportScope, ScopeChoice
from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    ConsentRecord,
    ConsentStatement,
    DatedStale,
    Enrolment,
    EnrolmentStatus,
    FeedbackItem,
    FeedbackSource,
    FeedbackStatus,
    FeedbackStatusChange,
    Module,
    Progress,
    Region,
    Release,
    User,
    utcnow,
)
from futuredoctor.scheduler import run_job
from tests.factories import current_cohorts, make_enrolment, make_release, make_user

# Few values, so cells are shared and some are small, some not.
GROUPS = ["doctor", "doctor", "nurse"]
STAGES = ["FY1", "FY2", "CT1"]


class World:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        cohorts = current_cohorts()
        self.cohorts = [cohorts["lon-current"], cohorts["sw-current"]]
        self.versions = [
            m.latest for m in db.session.scalars(sa.select(Module).order_by(Module.id).limit(3))
        ]
        self.statement = ConsentStatement(version=78, body="Consent")
        for cohort in self.cohorts:
            for version in self.versions:
                make_release(version, cohort, days_from_now=-80)

    def when(self) -> Any:
        """An instant in the last seven weeks (some days shared, some months too)."""
        return clock.now() - timedelta(days=self.rng.randint(0, 50), hours=self.rng.randint(0, 23))

    def pick(self, model: Any, *where: Any) -> Any:
        rows = list(db.session.scalars(sa.select(model).where(*where).order_by(model.id)))
        return self.rng.choice(rows) if rows else None

    def enrol(self) -> None:
        user = make_user(
            professional_group=self.rng.choice(GROUPS), career_stage=self.rng.choice(STAGES)
        )
        enrolment = make_enrolment(user, self.rng.choice(self.cohorts))
        db.session.add(ConsentRecord(enrolment=enrolment, statement=self.statement, given=True))

    def progress(self) -> None:
        enrolment = self.pick(Enrolment)
        if enrolment is None:
            return
        release = self.pick(Release, Release.cohort_id == enrolment.cohort_id)
        found = db.session.scalar(
            sa.select(Progress).where(
                Progress.enrolment_id == enrolment.id, Progress.release_id == release.id
            )
        )
        if found is None:
            db.session.add(Progress(enrolment=enrolment, release=release, started_at=self.when()))
        elif found.completed_at is None:
            found.completed_at = max(found.started_at, self.when())
        else:
            found.started_at = self.when()  # a corrected date

    def feedback(self) -> None:
        enrolment = self.pick(Enrolment)
        if enrolment is None:
            return
        version = self.rng.choice(self.versions)
        given = db.session.scalar(
            sa.select(FeedbackItem.id).where(
                FeedbackItem.enrolment_id == enrolment.id,
                FeedbackItem.module_version_id == version.id,
            )
        )
        if given is None:
            db.session.add(
                FeedbackItem(
                    module_version_id=version.id,
                    enrolment_id=enrolment.id,
                    source=FeedbackSource.PARTICIPANT,
                    relevance=4,
                    created_at=self.when(),
                )
            )

    def status_change(self) -> None:
        item = self.pick(FeedbackItem)
        if item is not None:
            status = self.rng.choice([FeedbackStatus.UNDER_REVIEW, FeedbackStatus.PLANNED])
            db.session.add(
                FeedbackStatusChange(feedback_item=item, status=status, changed_at=self.when())
            )

    def consent(self) -> None:
        enrolment = self.pick(Enrolment)
        if enrolment is not None:
            given = self.rng.random() < 0.4
            db.session.add(
                ConsentRecord(enrolment=enrolment, statement=self.statement, given=given)
            )

    def profile(self) -> None:
        user = self.pick(User, User.id.in_(sa.select(Enrolment.user_id)))
        if user is not None:
            user.career_stage = self.rng.choice(STAGES)
            if self.rng.random() < 0.3:
                user.professional_group = self.rng.choice(GROUPS)

    def withdraw(self) -> None:
        enrolment = self.pick(Enrolment, Enrolment.status == EnrolmentStatus.ENROLLED)
        if enrolment is not None:
            withdraw(enrolment, None)

    def delete(self) -> None:
        if self.rng.random() < 0.5:
            row = self.pick(Progress)
        else:
            row = self.pick(FeedbackItem, ~FeedbackItem.history.any())
        if row is not None:
            db.session.delete(row)

    OPERATIONS = [enrol, enrol, progress, progress, progress, feedback, feedback]
    OPERATIONS += [status_change, consent, profile, withdraw, delete]


def scopes() -> list[ExportScope]:
    region = db.session.scalars(sa.select(Region).where(Region.code == "LON")).one()
    cohort = current_cohorts()["sw-current"]
    today = clock.today_uk()
    return [
        ExportScope(
            user_id=0,
            choices=(
                ScopeChoice("region:LON", "London", region.id, None),
                ScopeChoice("pilot:sw", "South West", None, cohort.pilot_id),
            ),
            date_from=date_from,
            date_to=today,
            free_text=frozenset(),
            as_of=utcnow(),
        )
        for date_from in (EARLIEST, today - timedelta(days=20))
    ]


def live_plan(scope: ExportScope, k: int) -> tuple[int, set[Any]]:
    """The plan from the live count of the package's own rows (in Python, both databases)."""
    plan = make_plan(scope, _participant_rows(scope), k, dated_rows(scope))
    return plan.level, plan.withheld


def summary_plan(scope: ExportScope, k: int) -> tuple[int, set[Any]]:
    plan = make_plan(scope, k=k)
    return plan.level, plan.withheld


def participant_levels_agree(scope: ExportScope, k: int) -> None:
    """PostgreSQL's participant groups, level by level, are those Python counts."""
    if db.engine.dialect.name != "postgresql":
        return
    rows = _participant_rows(scope)
    for level in range(len(STEPS) + 1):
        sizes = Counter(_key(Plan(k, level), row) for row in rows)
        expected = any(size < k for size in sizes.values())
        assert has_small_group(scope, k, level) == expected, (k, level)


def check(app: Flask, world: World) -> set[int]:
    """Plans equal before and after the recount; the recount's cells equal a live count;
    returns the plan levels seen."""
    db.session.commit()
    levels = set()
    for scope in scopes():
        for k in range(1, 8):
            expected = live_plan(scope, k)
            assert summary_plan(scope, k) == expected, ("before the recount", k)
            participant_levels_agree(scope, k)
    assert run_job(app, "count_dated_people") is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DatedStale)) == 0
    cohorts = [db.session.get(Cohort, c.id) for c in world.cohorts]
    recounted = dated_summary.count_cells(cohorts, clock.now())
    for cohort in cohorts:
        assert dated_summary.stored_cells(cohort.id) == recounted.get(cohort.id, {})
    whole, recent = scopes()
    in_scope = list(db.session.scalars(dated_summary._cohorts_in(whole)))
    assert dated_summary.usable_cohorts(whole, in_scope) == in_scope  # all read from cells
    for scope in (whole, recent):
        for k in range(1, 8):
            expected = live_plan(scope, k)
            assert summary_plan(scope, k) == expected, ("after the recount", k)
            levels.add(expected[0])
    return levels


@pytest.mark.parametrize("seed", [1, 2])
def test_the_summary_plan_equals_a_live_recount_after_random_changes(
    app: Flask, frozen_now: Any, time_machine: Any, seed: int
) -> None:
    app.config["SCHEDULER_BATCH_SIZE"] = 1_000
    world = World(random.Random(seed))  # noqa: S311  (a repeatable sequence)
    for _ in range(8):
        world.enrol()
    db.session.commit()
    seen = check(app, world)
    for _ in range(5):
        time_machine.shift(timedelta(minutes=5))
        for _ in range(8):
            world.rng.choice(World.OPERATIONS)(world)
            db.session.flush()
        seen |= check(app, world)
    assert len(seen) >= 2  # the plans compared differ in what they generalise


def test_every_fact_the_cells_read_marks_its_cohort(app: Flask) -> None:
    """Triggers mark the cohort however a fact changes (plain SQL included), and only when
    a column the cells read changes."""
    world = World(random.Random(5))  # noqa: S311
    world.enrol()
    db.session.commit()
    assert run_job(app, "count_dated_people") is not None
    cohort_of = db.session.scalar(sa.select(Enrolment.cohort_id))
    user_id = db.session.scalar(sa.select(Enrolment.user_id))

    def marked() -> set[int]:
        marks = set(db.session.scalars(sa.select(DatedStale.cohort_id)))
        db.session.execute(sa.delete(DatedStale))
        db.session.commit()
        return marks

    assert marked() == set()
    db.session.execute(sa.update(User).where(User.id == user_id).values(career_stage="ST1"))
    assert marked() == {cohort_of}
    db.session.execute(sa.update(User).where(User.id == user_id).values(given_name="Other"))
    assert marked() == set()
    world.progress()
    db.session.commit()
    assert marked() == {cohort_of}
    db.session.execute(sa.update(Progress).values(completed_at=clock.now()))
    assert marked() == {cohort_of}
    world.feedback()
    db.session.commit()
    assert marked() == {cohort_of}
    db.session.execute(sa.update(FeedbackItem).values(text_redacted="x"))
    assert marked() == set()  # the redaction job does not make the summary stale
    db.session.execute(sa.delete(Progress))
    assert marked() == {cohort_of}


def test_a_package_counts_live_what_the_summary_cannot_answer(app: Flask) -> None:
    """A cohort marked stale, or whose dates reach outside the package's range, is
    counted live; the others are read from their cells."""
    world = World(random.Random(7))  # noqa: S311
    for _ in range(6):
        world.enrol()
    for _ in range(10):
        world.progress()
    db.session.commit()
    whole, recent = scopes()
    in_scope = list(db.session.scalars(dated_summary._cohorts_in(whole)))
    assert dated_summary.usable_cohorts(whole, in_scope) == []  # never counted
    assert run_job(app, "count_dated_people") is not None
    assert dated_summary.usable_cohorts(whole, in_scope) == in_scope
    dated = {c.id for c in world.cohorts if dated_summary.stored_cells(c.id)}
    assert dated and not set(dated_summary.usable_cohorts(recent, in_scope)) & dated
    world.enrol()
    db.session.commit()
    stale = set(db.session.scalars(sa.select(DatedStale.cohort_id)))
    assert stale and not set(dated_summary.usable_cohorts(whole, in_scope)) & stale


def test_the_triggers_are_in_place_at_the_head_revision(app: Flask) -> None:
    """A later migration that rebuilds one of these tables (SQLite's batch mode copies a
    table and drops its triggers) must put the triggers back."""
    if db.engine.dialect.name == "postgresql":
        names = db.session.scalars(
            sa.text(
                "SELECT tgrelid::regclass || '.' || tgname FROM pg_trigger "
                "WHERE tgname LIKE 'dated_stale_%'"
            )
        )
    else:
        names = db.session.scalars(
            sa.text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'dated_stale_%'"
            )
        )
    assert len(set(names)) == 17


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_cohort_another_process_is_recounting_is_left_to_it(app: Flask) -> None:
    """Two schedulers may pick the same stale cohort: the one that claimed it recounts it,
    the other skips it instead of inserting the same cells (which failed on the key)."""
    world = World(random.Random(11))  # noqa: S311
    world.enrol()
    world.progress()
    db.session.commit()
    cohort_id = db.session.scalar(sa.select(Enrolment.cohort_id))
    assert cohort_id is not None
    other = db.engine.connect()
    try:
        with other.begin():  # the other process, mid-recount
            other.execute(
                sa.select(sa.func.pg_advisory_xact_lock(dated_summary.RECOUNT_LOCK, cohort_id))
            )
            assert dated_summary.recount_cohorts([cohort_id]) == 0
            db.session.commit()
            assert dated_summary.stored_cells(cohort_id) == {}
            assert db.session.scalar(
                sa.select(sa.func.count()).where(DatedStale.cohort_id == cohort_id)
            )
        assert dated_summary.recount_cohorts([cohort_id]) == 1  # released: ours now
        db.session.commit()
        assert dated_summary.stored_cells(cohort_id)
        assert not db.session.scalar(
            sa.select(sa.func.count()).where(DatedStale.cohort_id == cohort_id)
        )
    finally:
        other.close()
