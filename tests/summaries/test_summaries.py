"""Every stored summary equals a recount of the facts, after any sequence of changes.

Random sequences of enrolments, withdrawals, progress, feedback, triage, consent
withdrawals and release changes run; after each few, the scheduler's refresh runs and
every summary (region dashboards, the national dashboard, inbox counts by scope, ratings by
version and region, responses per module on the ratings index)
is compared with the live grouped queries it replaces.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from futuredoctor import clock
from futuredoctor.educators import overview as educator_overview
from futuredoctor.educators.overview import pilot_mentoring
from futuredoctor.enrolment.capacity import withdraw
from futuredoctor.extensions import db
from futuredoctor.livinglab import inbox, ratings, triage
from futuredoctor.livinglab.scope import modules_in_scope
from futuredoctor.livinglab.workflow import MANUAL_TARGETS
from futuredoctor.main import figures
from futuredoctor.models import (
    CodesignSession,
    Cohort,
    ConsentRecord,
    ConsentStatement,
    Enrolment,
    EnrolmentStatus,
    FeedbackItem,
    FeedbackSource,
    Module,
    Pilot,
    Progress,
    Region,
    Release,
    ReleaseStatus,
    Role,
    SummarySnapshot,
    User,
)
from futuredoctor.pilots.services import CohortCounts, cohort_counts
from futuredoctor.refusals import Refusal
from futuredoctor.releases import dashboard, national
from futuredoctor.releases.completion_trend import completions_by_month
from futuredoctor.scheduler import run_job
from futuredoctor.summaries import store
from tests.factories import current_cohorts, make_enrolment, make_release, make_user

MODULES = ["shared-decision-making", "teaching-on-the-job", "inclusion-health-homelessness"]


class World:
    """The facts the operations act on, and the people whose scopes are compared."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        cohorts = current_cohorts()
        self.cohorts = [cohorts["lon-current"], cohorts["sw-current"]]
        self.modules = list(db.session.scalars(sa.select(Module).where(Module.slug.in_(MODULES))))
        self.viewers = [
            make_user(roles=[(Role.NATIONAL_ADMIN, None)]),
            make_user(roles=[(Role.LEAD_EDUCATOR, self.cohorts[0].pilot)]),
            make_user(roles=[(Role.LEAD_EDUCATOR, self.cohorts[1].pilot)]),
            make_user(roles=[(Role.REGIONAL_LEAD, self.cohorts[0].pilot.region)]),
        ]
        self.statement = ConsentStatement(version=77, body="Consent")
        for cohort in self.cohorts:
            make_release(self.modules[0].latest, cohort, days_from_now=-5)

    def pick(self, model: type, *where: sa.ColumnElement[bool]) -> object | None:
        rows = list(db.session.scalars(sa.select(model).where(*where).order_by(model.id)))
        return self.rng.choice(rows) if rows else None

    def enrol(self) -> None:
        user = make_user(roles=[(Role.PARTICIPANT, None)])
        enrolment = make_enrolment(user, self.rng.choice(self.cohorts))
        db.session.add(ConsentRecord(enrolment=enrolment, statement=self.statement, given=True))

    def withdraw(self) -> None:
        enrolment = self.pick(Enrolment, Enrolment.status == EnrolmentStatus.ENROLLED)
        if isinstance(enrolment, Enrolment):
            withdraw(enrolment, None)

    def enrolment_change(self) -> None:
        """A status or cohort changed directly, as no page does: the kept counts follow
        the rows whatever writes them."""
        enrolment = self.pick(Enrolment)
        if not isinstance(enrolment, Enrolment):
            return
        other = next(c for c in self.cohorts if c.id != enrolment.cohort_id)
        taken = db.session.scalar(
            sa.select(Enrolment.id).where(
                Enrolment.cohort_id == other.id, Enrolment.user_id == enrolment.user_id
            )
        )
        if self.rng.randrange(2) or taken is not None:
            enrolment.status = self.rng.choice(list(EnrolmentStatus))
        else:
            enrolment.cohort_id = other.id

    def progress(self) -> None:
        enrolment = self.pick(Enrolment)
        if not isinstance(enrolment, Enrolment):
            return
        release = self.pick(Release, Release.cohort_id == enrolment.cohort_id)
        if not isinstance(release, Release):
            return
        found = db.session.scalar(
            sa.select(Progress).where(
                Progress.enrolment_id == enrolment.id, Progress.release_id == release.id
            )
        )
        if found is None:
            db.session.add(Progress(enrolment=enrolment, release=release, started_at=clock.now()))
        else:
            found.completed_at = found.completed_at or clock.now()

    def feedback(self) -> None:
        enrolment = self.pick(Enrolment)
        if not isinstance(enrolment, Enrolment):
            return
        rating = [self.rng.choice([None, 1, 2, 3, 4, 5]) for _ in range(3)]
        version_id = self.rng.choice(self.modules).latest.id
        given = db.session.scalar(
            sa.select(FeedbackItem.id).where(
                FeedbackItem.enrolment_id == enrolment.id,
                FeedbackItem.module_version_id == version_id,
            )
        )
        if given is not None:
            return  # one item per person and version
        db.session.add(
            FeedbackItem(
                module_version_id=version_id,
                enrolment_id=enrolment.id,
                source=FeedbackSource.PARTICIPANT,
                relevance=rating[0],
                quality=rating[1],
                applicability=rating[2],
                text="Random feedback",
            )
        )

    def triage(self) -> None:
        item = self.pick(FeedbackItem)
        if isinstance(item, FeedbackItem):
            try:
                target = self.rng.choice(MANUAL_TARGETS)
                triage.change_status(item, target, "Because", self.viewers[0])
            except Refusal:
                pass  # not a move the workflow allows from here

    def consent_withdrawal(self) -> None:
        enrolment = self.pick(Enrolment)
        if isinstance(enrolment, Enrolment):
            db.session.add(
                ConsentRecord(enrolment=enrolment, statement=self.statement, given=False)
            )

    def release_change(self) -> None:
        release = self.pick(Release)
        choice = self.rng.randrange(3)
        if choice == 0 or not isinstance(release, Release):
            module = self.rng.choice(self.modules)
            cohort = self.rng.choice(self.cohorts)
            exists = db.session.scalar(
                sa.select(Release.id).where(
                    Release.module_version_id == module.latest.id, Release.cohort_id == cohort.id
                )
            )
            if exists is None:
                make_release(module.latest, cohort, days_from_now=-self.rng.randint(1, 9))
        elif choice == 1:
            release.status = ReleaseStatus.WITHDRAWN
        else:
            release.release_at = clock.now() + timedelta(days=self.rng.choice([-3, 3]))

    OPERATIONS = [
        enrol,
        withdraw,
        enrolment_change,
        progress,
        feedback,
        triage,
        consent_withdrawal,
        release_change,
    ]


def check_every_summary(app: Flask, world: World) -> None:
    """Refresh as the scheduler does, then compare every summary with a recount."""
    db.session.commit()
    assert run_job(app, "refresh_summaries") is not None
    for code in ("LON", "SW"):
        region = db.session.scalar(sa.select(Region).where(Region.code == code))
        board = dashboard.region_dashboard(region)
        assert board.completion == dashboard.completion_by_module(region), code
        assert board.months == completions_by_month(region, clock.today_uk()), code
        pilots = list(db.session.scalars(sa.select(Pilot).where(Pilot.region_id == region.id)))
        live = dashboard.gpc_coverage(region, pilots, board.domains)
        stored = {row.pilot.id: row.cells for row in board.coverage}
        assert all(stored[row.pilot.id] == row.cells for row in live), code
    assert national.national_overview()[0] == national.live_overview()
    # Each cohort's people by status, kept by the database with every enrolment change.
    kept = db.session.execute(
        sa.select(
            Cohort.id,
            Cohort.enrolled_count,
            Cohort.waitlisted_count,
            Cohort.invited_count,
            Cohort.withdrawn_count,
        )
    ).all()
    recount = cohort_counts([row.id for row in kept])
    assert {row.id: CohortCounts(*row[1:]) for row in kept} == recount
    # The staff homes' figures, each for its scope (read once first, so it is stored).
    for pilots in (None, [world.cohorts[0].pilot_id], [c.pilot_id for c in world.cohorts]):
        assert figures.consenting(pilots)[0] == figures.consenting_people(pilots)
    for cohort in world.cohorts:
        assert figures.mentoring([cohort.pilot_id])[0] == pilot_mentoring([cohort.pilot_id])
    assert figures.totals()[0] == figures.platform_counts()
    regions = [c.pilot.region_id for c in world.cohorts]
    for ids in ([regions[0]], regions):
        domains, pairs, _ = educator_overview.stored_overview(ids)
        assert (domains, pairs) == (
            educator_overview.domain_levels(ids),
            educator_overview.active_pairs(ids),
        )
    # Each item keeps the pilot it belongs to (the inbox and picker scope by it).
    derived = sa.func.coalesce(Cohort.pilot_id, CodesignSession.pilot_id, FeedbackItem.pilot_id)
    wrong = db.session.scalars(
        sa.select(FeedbackItem.id)
        .outerjoin(Enrolment, Enrolment.id == FeedbackItem.enrolment_id)
        .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
        .outerjoin(CodesignSession, CodesignSession.id == FeedbackItem.codesign_session_id)
        .where(FeedbackItem.scope_pilot_id.is_distinct_from(derived))
    ).all()
    assert wrong == []
    for viewer in world.viewers:
        viewer = db.session.get(User, viewer.id)
        if viewer.grants[0].role is not Role.REGIONAL_LEAD:
            assert inbox.summary_counts(viewer)[0] == inbox.status_counts(viewer)
            modules = modules_in_scope(viewer)
            overview, _ = ratings.summary_overview(viewer, modules)
            assert overview == ratings.module_overview(viewer, modules)
            for module in world.modules:
                by_version, by_region, _ = ratings.summary_ratings(viewer, module)
                assert by_version == ratings.by_version(viewer, module)
                assert by_region == ratings.by_region(viewer, module)


@pytest.mark.parametrize("seed", [1, 2])
def test_summaries_equal_a_recount_after_random_changes(app: Flask, seed: int) -> None:
    app.config["SUMMARY_MAX_AGE_SECONDS"] = 3600  # read what the refresh stored
    world = World(random.Random(seed))  # noqa: S311  (a repeatable sequence)
    db.session.commit()
    check_every_summary(app, world)  # stores each summary once, so the refresh has keys
    db.session.commit()
    for _ in range(6):
        for _ in range(6):
            world.rng.choice(World.OPERATIONS)(world)
            db.session.flush()
        check_every_summary(app, world)


def test_pages_say_when_their_figures_were_counted(app: Flask, client, frozen_now) -> None:
    """A stored summary is shown as it stood, with its time, until it is refreshed."""
    from tests.helpers import login

    app.config["SUMMARY_MAX_AGE_SECONDS"] = 3600
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    cohort = current_cohorts()["lon-current"]
    module = db.session.scalar(sa.select(Module).where(Module.slug == MODULES[0]))
    make_release(module.latest, cohort)
    db.session.commit()
    login(client, admin)
    first = client.get("/regions/LON/dashboard").get_data(as_text=True)
    assert "figures as of" in first
    make_enrolment(make_user(roles=[(Role.PARTICIPANT, None)]), cohort)
    db.session.commit()
    region = db.session.scalar(sa.select(Region).where(Region.code == "LON"))
    stale = dashboard.region_dashboard(region).completion
    assert stale != dashboard.completion_by_module(region)
    assert run_job(app, "refresh_summaries")
    assert dashboard.region_dashboard(region).completion == dashboard.completion_by_module(region)
    counts = client.get("/feedback").get_data(as_text=True)
    assert "Counts as of" in counts
    assert store.stored_keys("feedback_status") == ["all"]


def test_a_dashboard_summary_without_this_months_figures_is_counted_again(app: Flask) -> None:
    """Completions per month are kept for the months wanted on the day they were counted:
    a summary from before a new month began (or before months were kept) is counted again
    and stored, not shown with a month missing."""
    app.config["SUMMARY_MAX_AGE_SECONDS"] = 3600
    region = db.session.scalar(sa.select(Region).where(Region.code == "LON"))
    first = dashboard.region_dashboard(region)
    assert first.months == completions_by_month(region, clock.today_uk())
    stored = db.session.scalar(
        sa.select(SummarySnapshot).where(SummarySnapshot.kind == dashboard.SUMMARY)
    )
    stale = dict(stored.payload)
    stale["months"] = stale["months"][:-1]  # as counted last month
    store.store(dashboard.SUMMARY, region.code, stale)
    board = dashboard.region_dashboard(region)
    assert board.months == completions_by_month(region, clock.today_uk())
    db.session.expire_all()
    assert db.session.get(SummarySnapshot, stored.id).payload["months"] == [
        [m.start.isoformat(), m.completed] for m in board.months
    ]
