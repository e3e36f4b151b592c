"""``python -m benchmarks.plans [--participants N]``: PostgreSQL plans, before and after,
of the queries behind the pages that were slowest at national size, written into
docs/benchmarks.md between the plan markers.

"Before" runs what the page used to run (the live grouped queries, the unbounded list, the
inbox without its index); "after" runs what it runs now. Every statement a step runs is
captured and the slowest is shown with ``EXPLAIN (ANALYZE, BUFFERS)``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from benchmarks.__main__ import prepare
from benchmarks.generate import Scale, generate
from benchmarks.route_sweep import build_scene
from futuredoctor import clock, create_app
from futuredoctor.config import PROJECT_ROOT
from futuredoctor.extensions import db
from futuredoctor.models import (
    CodesignSession,
    Cohort,
    Enrolment,
    FeedbackItem,
    Module,
    ModuleVersion,
    Progress,
    User,
)
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
    """Total planning and execution time of the step's statements (ms, as PostgreSQL
    reports them, so other load on the machine does not count) and the plan of the
    slowest."""
    plans = []
    conn = db.session.connection()  # the step's own transaction (it may drop an index)
    for statement, parameters in _captured(step):
        rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()
        lines = [r[0] for r in rows]
        spent = sum(
            float(line.split(":")[1].split()[0])
            for line in lines
            if "Execution Time" in line or "Planning Time" in line
        )
        plans.append((spent, lines))
    db.session.rollback()  # puts back anything the step changed
    total = sum(ms for ms, _ in plans)
    return total, max(plans, key=lambda p: p[0])[1] if plans else []


def steps(scene: Any) -> list[tuple[str, Callable[[], Any], Callable[[], Any]]]:
    from futuredoctor.admin.services import list_users
    from futuredoctor.enrolment import roster
    from futuredoctor.livinglab import address_picker, inbox, ratings
    from futuredoctor.livinglab.inbox import InboxFilter, item_loading
    from futuredoctor.livinglab.scope import TRIAGE, modules_in_scope
    from futuredoctor.livinglab.workflow import OPEN_STATUSES
    from futuredoctor.permissions import scope_pilots
    from futuredoctor.releases import dashboard, national
    from futuredoctor.releases.completion_trend import completions_by_month
    from futuredoctor.version_picker import version_picker

    admin = db.session.scalar(sa.select(User).where(User.email.like("sweep.national_admin%")))
    educator = db.session.scalar(sa.select(User).where(User.email.like("sweep.lead_educator%")))
    assert admin is not None and educator is not None
    region, module = scene.region, scene.module

    def joined_items(viewer: User) -> sa.Select[Any]:
        """Items in scope as they were found before each item kept its pilot: through
        enrolment, cohort and co-design session, without this round's indexes."""
        for index in (
            "ix_feedback_item_scope_pilot_created",
            "ix_feedback_item_open_version_created",
            "ix_feedback_item_open_version_pilot_created",
        ):
            db.session.execute(sa.text(f"DROP INDEX IF EXISTS {index}"))
        stmt = (
            sa.select(FeedbackItem)
            .outerjoin(Enrolment, Enrolment.id == FeedbackItem.enrolment_id)
            .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
            .outerjoin(CodesignSession, CodesignSession.id == FeedbackItem.codesign_session_id)
        )
        pilot = sa.func.coalesce(Cohort.pilot_id, CodesignSession.pilot_id, FeedbackItem.pilot_id)
        return scope_pilots(stmt, viewer, TRIAGE, pilot)

    def counted_picker_for(viewer: User) -> Callable[[], None]:
        """The picker before keyset paging: every open item counted, then all of them
        sorted for one page of 25, loaded whole."""

        def step() -> None:
            found = (
                joined_items(viewer)
                .join(ModuleVersion, ModuleVersion.id == FeedbackItem.module_version_id)
                .where(ModuleVersion.module_id == module.id, FeedbackItem.status.in_(OPEN_STATUSES))
            )
            db.session.scalar(sa.select(sa.func.count()).select_from(found.subquery()))
            listed = (
                found.with_only_columns(FeedbackItem.id, FeedbackItem.created_at)
                .cte("picker_items")
                .prefix_with("MATERIALIZED", dialect="postgresql")
            )
            ids = list(
                db.session.scalars(
                    sa.select(listed.c.id).order_by(listed.c.created_at, listed.c.id).limit(25)
                )
            )
            stmt = sa.select(FeedbackItem).where(FeedbackItem.id.in_(ids))
            list(db.session.scalars(stmt.options(*item_loading())).unique())

        return step

    def wide_inbox_page(viewer: User) -> Callable[[], None]:
        """The inbox's page before: the page asked for with everything shown joined on."""

        def step() -> None:
            inbox.summary_counts(viewer)
            stmt = (
                joined_items(viewer)
                .options(*item_loading())
                .order_by(FeedbackItem.created_at.desc(), FeedbackItem.id.desc())
            )
            list(db.session.scalars(stmt.limit(50)).unique())

        return step

    def inbox_after_for(viewer: User) -> Callable[[], None]:
        def step() -> None:
            counts, _ = inbox.summary_counts(viewer)
            inbox.inbox_page(viewer, InboxFilter(), 1, sum(counts.values()))

        return step

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
            lambda: (
                dashboard.region_dashboard(region),
                completions_by_month(region, clock.today_uk()),
            ),
            lambda: dashboard.region_dashboard(region),
        ),
        (
            "National dashboard (`/national`), national admin",
            national.live_overview,
            national.national_overview,
        ),
        (
            "Feedback inbox (`/feedback`), national admin",
            wide_inbox_page(admin),
            inbox_after_for(admin),
        ),
        (
            "Feedback inbox (`/feedback`), lead educator: the page query (before: the page "
            "with everything shown joined on)",
            wide_inbox_page(educator),
            inbox_after_for(educator),
        ),
        (
            f"Publish a new version (`/modules/{module.slug}/versions/new`), national admin",
            counted_picker_for(admin),
            lambda: address_picker.open_items_picker(admin, module, "", None, 1, []),
        ),
        (
            f"Publish a new version (`/modules/{module.slug}/versions/new`), lead educator: "
            "the picker of open feedback (before: counted and sorted whole)",
            counted_picker_for(educator),
            lambda: address_picker.open_items_picker(educator, module, "", None, 1, []),
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
    parser.add_argument(
        "--database",
        help="a database that already holds benchmark data (a copy: the sweep's accounts "
        "and summaries are written to it), instead of generating one",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="record only the pages whose title contains this (repeatable); the other "
        "pages' plans in the report are kept as they are",
    )
    args = parser.parse_args()
    scale = dataclasses.replace(Scale(), participants=args.participants)
    with contextlib.ExitStack() as stack:
        if args.database:
            url = args.database
        else:
            bindir = find_bindir()
            if bindir is None:
                raise SystemExit("PostgreSQL server binaries not found")
            server = stack.enter_context(throwaway_cluster(bindir))
            url = prepare(server, "futuredoctor_plans")
            generate(sa.make_url(url).set(drivername="postgresql").render_as_string(False), scale)
        sections = _record(url, args.only)
    _write(Path(args.report), sections, args.only)


def _record(url: str, only: list[str]) -> dict[str, list[str]]:
    """Each recorded page's report lines, by title ("" holds the data set's size)."""
    sections: dict[str, list[str]] = {}
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SUMMARY_MAX_AGE_SECONDS": 3600})
    with app.app_context():
        participants = db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment))
        sections[""] = [f"Data set: {participants:,} participants.", ""]
        scene = build_scene()
        for title, before, after in steps(scene):
            if only and not any(part in title for part in only):
                continue
            after()  # the summaries exist, as once the scheduler has run
            db.session.commit()
            ms_after, plan_after = _slowest_plan(after)
            ms_before, plan_before = _slowest_plan(before)
            print(f"{title}: {ms_before:.1f} ms -> {ms_after:.1f} ms", flush=True)
            sections[title] = [
                f"### {title}",
                "",
                f"Planning and execution time of all its statements: {ms_before:,.1f} ms before, "
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
    return sections


def _split(block: str) -> dict[str, list[str]]:
    """The report's recorded plans by page title ("" for the lines before the first)."""
    sections: dict[str, list[str]] = {"": []}
    title = ""
    for line in block.splitlines():
        if line.startswith("### "):
            title = line.removeprefix("### ")
            sections[title] = []
        sections[title].append(line)
    return sections


def _write(path: Path, recorded: dict[str, list[str]], only: list[str]) -> None:
    """Put the recorded plans between the markers; with ``only``, replace just those
    pages' plans (a page recorded for the first time goes last)."""
    text = path.read_text(encoding="utf-8")
    if START not in text:
        text += f"\n## Query plans before and after\n\n{START}\n{END}\n"
    before_text, _, rest = text.partition(START)
    block, _, after_text = rest.partition(END)
    if only:
        sections = _split(block.strip("\n"))
        header = sections.pop("")
        recorded.pop("", None)
        for title, lines in recorded.items():
            if title not in sections:  # next to the same page's other plans, if any
                page = title.split(",")[0]
                same = [t for t in sections if t.split(",")[0] == page]
                order = list(sections)
                at = order.index(same[-1]) + 1 if same else len(order)
                order.insert(at, title)
                sections = {t: sections.get(t, lines) for t in order}
            sections[title] = lines
        lines = header + [line for lines in sections.values() for line in lines]
    else:
        lines = [line for lines in recorded.values() for line in lines]
    path.write_text(before_text + "\n".join([START, *lines, END]) + after_text, encoding="utf-8")


if __name__ == "__main__":
    main()
