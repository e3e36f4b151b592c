"""``python -m benchmarks.plans [--participants N]``: PostgreSQL plans, before and after,
of the queries behind the pages that were slowest at national size, written into
docs/benchmarks.md between the plan markers.

"Before" runs what the page used to run (the live grouped queries, the unbounded list, the
inbox without its index); "after" runs what it runs now. Every statement a step runs is
captured and the slowest is shown with ``EXPLAIN (ANALYZE, BUFFERS)``.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from benchmarks.__main__ import prepare
from benchmarks.generate import Scale, generate
from benchmarks.route_sweep import build_scene
from futuredoctor import create_app
from futuredoctor.config import PROJECT_ROOT
from futuredoctor.extensions import db
from futuredoctor.models import Enrolment, FeedbackItem, Module, ModuleVersion, Progress, User
from tests.pg import find_bindir, throwaway_cluster

START, END = "<!-- plans start -->", "<!-- plans end -->"


def _captured(step: Callable[[], Any]) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def listener(conn: Any, cursor: Any, statement: str, parameters: Any, *rest: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        step()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    return seen


def _slowest_plan(step: Callable[[], Any]) -> tuple[float, list[str]]:
    """Total execution time of the step's statements (ms, as PostgreSQL reports it, so
    other load on the machine does not count) and the plan of the slowest."""
    plans = []
    conn = db.session.connection()  # the step's own transaction (it may drop an index)
    for statement, parameters in _captured(step):
        rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()
        lines = [r[0] for r in rows]
        executed = next(
            (float(line.split(":")[1].split()[0]) for line in lines if "Execution Time" in line),
            0.0,
        )
        plans.append((executed, lines))
    db.session.rollback()  # puts back anything the step changed
    total = sum(ms for ms, _ in plans)
    return total, max(plans, key=lambda p: p[0])[1] if plans else []


def steps(scene: Any) -> list[tuple[str, Callable[[], Any], Callable[[], Any]]]:
    from futuredoctor.admin.services import list_users
    from futuredoctor.enrolment import roster
    from futuredoctor.livinglab import inbox, ratings, versions
    from futuredoctor.livinglab.inbox import InboxFilter, item_loading
    from futuredoctor.livinglab.scope import modules_in_scope
    from futuredoctor.releases import dashboard, national
    from futuredoctor.version_picker import version_picker

    admin = db.session.scalar(sa.select(User).where(User.email.like("sweep.national_admin%")))
    assert admin is not None
    region, module = scene.region, scene.module

    def unbounded_picker() -> None:
        stmt = versions._open_items(admin, module).options(*item_loading())
        list(db.session.scalars(stmt.order_by(FeedbackItem.created_at, FeedbackItem.id)).unique())

    def inbox_before() -> None:
        db.session.execute(sa.text("DROP INDEX ix_feedback_item_created_at_id"))
        inbox.status_counts(admin)
        inbox.inbox_page(admin, InboxFilter(), 1)

    def inbox_after() -> None:
        counts, _ = inbox.summary_counts(admin)
        inbox.inbox_page(admin, InboxFilter(), 1, sum(counts.values()))

    cohort = scene.cohort

    def roster_export_before() -> None:
        """The download's statement before: both aggregates grouped the whole table."""
        progress = (
            sa.select(
                Progress.enrolment_id.label("enrolment_id"),
                sa.func.count(Progress.started_at).label("started"),
                sa.func.count(Progress.completed_at).label("completed"),
            )
            .group_by(Progress.enrolment_id)
            .subquery()
        )
        invites = roster._invitation_aggregate().subquery()
        stmt = (
            sa.select(Enrolment, progress.c.started, progress.c.completed, invites)
            .join(User, User.id == Enrolment.user_id)
            .outerjoin(progress, progress.c.enrolment_id == Enrolment.id)
            .outerjoin(invites, invites.c.enrolment_id == Enrolment.id)
            .where(Enrolment.cohort_id == cohort.id)
            .options(contains_eager(Enrolment.user))
            .order_by(sa.func.lower(User.family_name), sa.func.lower(User.given_name), Enrolment.id)
        )
        db.session.execute(stmt).all()

    def roster_page_before() -> None:
        """The roster page's statement before: whole people sorted by name, so PostgreSQL
        read every account to find the cohort's."""
        db.session.execute(sa.text("DROP INDEX ix_user_account_id_name"))
        stmt = (
            sa.select(Enrolment)
            .join(User, User.id == Enrolment.user_id)
            .where(Enrolment.cohort_id == cohort.id)
            .options(contains_eager(Enrolment.user))
            .order_by(sa.func.lower(User.family_name), sa.func.lower(User.given_name), Enrolment.id)
            .limit(50)
        )
        db.session.execute(stmt).all()

    def users_before() -> None:
        db.session.execute(sa.text("DROP INDEX ix_user_account_name"))
        list_users(None, None, 1)

    def versions_before() -> None:
        """The release form's version list before: every version, whole."""
        stmt = (
            sa.select(ModuleVersion)
            .join(Module)
            .options(joinedload(ModuleVersion.module))
            .order_by(ModuleVersion.title, ModuleVersion.number.desc())
        )
        list(db.session.scalars(stmt))

    return [
        (
            f"Region dashboard (`/regions/{region.code}/dashboard`), national admin",
            lambda: (dashboard.completion_by_module(region), dashboard.region_figures(region)),
            lambda: dashboard.region_dashboard(region),
        ),
        (
            "National dashboard (`/national`), national admin",
            national.live_overview,
            national.national_overview,
        ),
        (
            "Feedback inbox (`/feedback`), national admin",
            inbox_before,
            inbox_after,
        ),
        (
            f"Publish a new version (`/modules/{module.slug}/versions/new`), national admin",
            unbounded_picker,
            lambda: versions.open_items_picker(admin, module, "", 1, []),
        ),
        (
            f"Ratings (`/feedback/ratings/{module.slug}`), national admin",
            lambda: (ratings.by_version(admin, module), ratings.by_region(admin, module)),
            lambda: ratings.summary_ratings(admin, module),
        ),
        (
            "Ratings index (`/feedback/ratings`), national admin",
            lambda: ratings.module_overview(admin, modules_in_scope(admin)),
            lambda: ratings.summary_overview(admin, modules_in_scope(admin)),
        ),
        (
            f"Roster download (`/cohorts/{cohort.slug}/roster.csv`), pilot admin",
            roster_export_before,
            lambda: list(roster.export_rows(cohort, "", None)),
        ),
        (
            f"Roster page (`/cohorts/{cohort.slug}/roster`), pilot admin",
            roster_page_before,
            lambda: roster.roster_page(cohort, "", None, 1),
        ),
        (
            "Users (`/admin/users`), national admin",
            users_before,
            lambda: list_users(None, None, 1),
        ),
        (
            "Schedule a release (`/releases/new`): the module-version list",
            versions_before,
            lambda: version_picker(""),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=Scale().participants)
    parser.add_argument("--report", default=str(PROJECT_ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    scale = dataclasses.replace(Scale(), participants=args.participants)
    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL server binaries not found")
    lines = [START, f"Data set: {scale.participants:,} participants.", ""]
    with throwaway_cluster(bindir) as server:
        url = prepare(server, "futuredoctor_plans")
        generate(sa.make_url(url).set(drivername="postgresql").render_as_string(False), scale)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SUMMARY_MAX_AGE_SECONDS": 3600})
        with app.app_context():
            scene = build_scene()
            for title, before, after in steps(scene):
                after()  # the summaries exist, as once the scheduler has run
                db.session.commit()
                ms_after, plan_after = _slowest_plan(after)
                ms_before, plan_before = _slowest_plan(before)
                print(f"{title}: {ms_before:.1f} ms -> {ms_after:.1f} ms", flush=True)
                lines += [
                    f"### {title}",
                    "",
                    f"Execution time of all its statements: {ms_before:,.1f} ms before, "
                    f"{ms_after:,.1f} ms after. The slowest statement's plan:",
                    "",
                    "Before:",
                    "",
                    "```",
                    *plan_before,
                    "```",
                    "",
                    "After:",
                    "",
                    "```",
                    *plan_after,
                    "```",
                    "",
                ]
            db.session.remove()
            db.engine.dispose()
    lines.append(END)
    path = Path(args.report)
    text = path.read_text(encoding="utf-8")
    if START not in text:
        text += f"\n## Query plans before and after\n\n{START}\n{END}\n"
    before_text, _, rest = text.partition(START)
    _, _, after_text = rest.partition(END)
    path.write_text(before_text + "\n".join(lines) + after_text, encoding="utf-8")


if __name__ == "__main__":
    main()
