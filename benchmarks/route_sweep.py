"""The route sweep's people, URLs and in-process measurements.

Every GET route of the app is opened by each role that may open it, as users of the
biggest region and its biggest pilot: one account per role is made in that scope, and each
URL argument gets a record from that scope (the module with the most feedback, the
busiest cohort). Nothing lists the routes by hand, so a new route is swept as soon as it
exists; a route the sweep cannot fill in or open is reported with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask

from benchmarks.generate import BENCH_PASSWORD
from benchmarks.route_samples import role_samples
from futuredoctor import clock
from futuredoctor.extensions import db
from futuredoctor.models import (
    ChampionProfile,
    CodesignSession,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    FeedbackItem,
    Module,
    ModuleVersion,
    Pilot,
    ProfileVisibility,
    PublicContributor,
    Region,
    Release,
    Role,
    RoleGrant,
    User,
)
from futuredoctor.passwords import hash_password
from futuredoctor.permissions import ROLE_PERMISSIONS, access_rule

SIGNED_OUT = "signed out"
# Aggregate pages (counts over a whole scope) have the looser target.
AGGREGATE = {
    "releases.dashboard",
    "livinglab.inbox_view",
    "livinglab.ratings_view",
    "livinglab.ratings_index",
}
SCOPED_ROLES = {
    Role.LEAD_EDUCATOR: "pilot",
    Role.PILOT_ADMIN: "pilot",
    Role.REGIONAL_LEAD: "region",
    Role.EVALUATOR: "region",
    Role.CHAMPION: "region",
}
FIXED = {"token": "not-a-token", "file_name": "participants.csv"}
_SAME = "a public page with nothing of its own for a signed-in person"


@dataclass
class Target:
    endpoint: str
    role: str
    url: str
    email: str | None
    kind: str = "page"  # page, aggregate or download (set once opened)
    queries: int = 0
    small_queries: int | None = None
    size: int = 0
    problem: str | None = None  # why it could not be opened
    public: bool = False  # a page anyone may open, signed in or not


# What a signed-in request runs before any page's own work: the account check.
SIGNED_IN_STATEMENTS = 1


def same_as_signed_out(target: Target) -> bool:
    """A public page opened by a signed-in role that does nothing of its own for them (it
    redirects them, or runs no statement beyond the account check): the signed-out row and
    the floor already measure it, so it is not swept again."""
    return target.public and target.role != SIGNED_OUT and target.problem == _SAME


@dataclass
class Scene:
    region: Region
    pilot: Pilot
    cohort: Cohort
    module: Module
    values: dict[str, Any] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    by_role: dict[str, dict[str, Any]] = field(default_factory=dict)  # the role's own records


def _biggest() -> tuple[Region, Pilot, Cohort]:
    enrolled = Enrolment.status == EnrolmentStatus.ENROLLED
    count = sa.func.count(Enrolment.id)
    base = sa.select(Cohort).join(Enrolment, Enrolment.cohort_id == Cohort.id).where(enrolled)
    region_id = db.session.scalar(
        sa.select(Pilot.region_id)
        .join(Cohort, Cohort.pilot_id == Pilot.id)
        .join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .where(enrolled)
        .group_by(Pilot.region_id)
        .order_by(count.desc(), Pilot.region_id)
        .limit(1)
    )
    pilot_id = db.session.scalar(
        sa.select(Cohort.pilot_id)
        .join(Pilot, Pilot.id == Cohort.pilot_id)
        .join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .where(enrolled, Pilot.region_id == region_id)
        .group_by(Cohort.pilot_id)
        .order_by(count.desc(), Cohort.pilot_id)
        .limit(1)
    )
    cohort = db.session.scalars(
        base.where(Cohort.pilot_id == pilot_id)
        .group_by(Cohort.id)
        .order_by(count.desc(), Cohort.id)
        .limit(1)
    ).one()
    return db.session.get_one(Region, region_id), db.session.get_one(Pilot, pilot_id), cohort


def _person(email: str, role: Role, scope: Region | Pilot | None) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            given_name="Sweep",
            family_name=role.label,
            password_hash=hash_password(BENCH_PASSWORD),
        )
        db.session.add(user)
        db.session.add(
            RoleGrant(
                user=user,
                role=role,
                region=scope if isinstance(scope, Region) else None,
                pilot=scope if isinstance(scope, Pilot) else None,
            )
        )
        db.session.flush()
    return user


def build_scene() -> Scene:
    """Accounts for every role and a record for every URL argument; committed."""
    region, pilot, cohort = _biggest()
    feedback = sa.func.count(FeedbackItem.id)
    module = db.session.scalars(
        sa.select(Module)
        .join(ModuleVersion, ModuleVersion.module_id == Module.id)
        .join(FeedbackItem, FeedbackItem.module_version_id == ModuleVersion.id)
        .join(Enrolment, Enrolment.id == FeedbackItem.enrolment_id)
        .where(Enrolment.cohort_id == cohort.id)
        .group_by(Module.id)
        .order_by(feedback.desc(), Module.id)
        .limit(1)
    ).one()
    scene = Scene(region, pilot, cohort, module)
    users: dict[str, User] = {}
    for role in Role:
        if role is Role.PARTICIPANT:
            continue
        scope = {"pilot": pilot, "region": region}.get(SCOPED_ROLES.get(role, ""))
        users[role.value] = _person(f"sweep.{role.value}@example.nhs.uk", role, scope)
        scene.emails[role.value] = users[role.value].email
    participant = db.session.scalars(
        sa.select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.cohort_id == cohort.id, Enrolment.status == EnrolmentStatus.ENROLLED)
        .order_by(User.id)
        .limit(1)
    ).one()
    scene.emails[Role.PARTICIPANT.value] = participant.email
    users[Role.PARTICIPANT.value] = participant
    scene.by_role = role_samples(region, users)
    public = db.session.scalar(
        sa.select(ChampionProfile.id)
        .where(ChampionProfile.visibility == ProfileVisibility.PUBLIC)
        .order_by(ChampionProfile.id)
        .limit(1)
    )
    scene.by_role[SIGNED_OUT] = {"profile_id": public} if public is not None else {}
    item = db.session.scalars(
        sa.select(FeedbackItem)
        .join(Enrolment, Enrolment.id == FeedbackItem.enrolment_id)
        .join(ModuleVersion, ModuleVersion.id == FeedbackItem.module_version_id)
        .where(Enrolment.cohort_id == cohort.id, ModuleVersion.module_id == module.id)
        .order_by(FeedbackItem.id)
        .limit(1)
    ).one()
    session = db.session.scalar(
        sa.select(CodesignSession).where(CodesignSession.pilot_id == pilot.id).limit(1)
    )
    if session is None:
        session = CodesignSession(pilot=pilot, held_on=clock.today_uk(), title="Sweep session")
        db.session.add(session)
    contributor = db.session.scalar(
        sa.select(PublicContributor).where(PublicContributor.pilot_id == pilot.id).limit(1)
    )
    if contributor is None:
        contributor = PublicContributor(
            pilot=pilot, display_name="Sweep contributor", credit_consent_on=clock.today_uk()
        )
        db.session.add(contributor)
    # Look for the release before making one: a new Release joins the session through its
    # relationships and would be flushed by the look-up, so a second sweep on the same
    # database used to fail on the unique (version, cohort) pair.
    later_cohort = db.session.scalars(
        sa.select(Cohort)
        .where(Cohort.pilot_id == pilot.id, Cohort.id != cohort.id)
        .order_by(Cohort.id)
        .limit(1)
    ).one()
    future = db.session.scalar(
        sa.select(Release).where(
            Release.module_version_id == module.latest.id,
            Release.cohort_id == later_cohort.id,
        )
    )
    if future is None:
        future = Release(module_version=module.latest, cohort=later_cohort)
        db.session.add(future)
    future.release_at = clock.now() + timedelta(days=30)
    db.session.flush()
    other = participant
    scene.values = {
        "code": region.code,
        "pilot_slug": pilot.slug,
        "cohort_slug": cohort.slug,
        "module_slug": module.slug,
        "number": module.latest.number,
        "item_id": item.id,
        "session_id": session.id,
        "contributor_id": contributor.id,
        "release_id": future.id,
        "user_id": other.id,
        "grant_id": other.grants[0].id,
        **FIXED,
    }
    db.session.commit()
    return scene


def _value(endpoint: str, arg: str, scene: Scene, role: str) -> Any:
    own = scene.by_role.get(role, {})
    if arg in own:
        return own[arg]
    if arg == "slug":
        if endpoint == "pilots.pilot":
            return scene.values["pilot_slug"]
        if endpoint.startswith(("learning.", "livinglab.")):
            return scene.values["module_slug"]
        return scene.values["cohort_slug"]
    return scene.values.get(arg)


def may_open(info: tuple[Any, ...] | None, role: str) -> bool:
    """Whether ``role`` may open a route with this access rule: a public page, everyone
    (the home page is each role's own dashboard once signed in)."""
    if info is None:
        return False
    if info[0] == "public":
        return True
    if role == SIGNED_OUT:
        return False
    return info[0] == "signed_in" or info[1] in ROLE_PERMISSIONS[Role(role)]


def targets(app: Flask, scene: Scene) -> list[Target]:
    """Every (GET route, role that may open it), with its URL or why there is none."""
    found = []
    roles = [SIGNED_OUT, *(r.value for r in Role)]
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or "GET" not in (rule.methods or ()):
            continue
        info = access_rule(app.view_functions[rule.endpoint])
        for role in roles:
            if not may_open(info, role):
                continue
            values = {arg: _value(rule.endpoint, arg, scene, role) for arg in rule.arguments}
            target = Target(rule.endpoint, role, rule.rule, scene.emails.get(role))
            target.public = info is not None and info[0] == "public"
            missing = [arg for arg, value in values.items() if value is None]
            if missing:
                target.problem = f"no sample for {', '.join(missing)}"
            elif info and ("bearer-token" in info or "metrics-token" in info):
                if role != SIGNED_OUT:
                    continue  # listed once, signed out
                target.problem = "needs an API or metrics token, not a session"
            else:
                with app.test_request_context():
                    target.url = app.url_for(rule.endpoint, **values)
            found.append(target)
    return found


def count_in_process(app: Flask, found: list[Target], password: str, small: bool = False) -> None:
    """Status, query count and size of each target, through the test client."""
    clients: dict[str, Any] = {}
    statements: list[str] = []

    def listener(*args: Any) -> None:
        statements.append(args[2])

    with app.app_context():  # each request below pushes its own, as under a server
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        for target in found:
            if target.problem:
                continue
            client = clients.get(target.role)
            if client is None:
                client = clients[target.role] = app.test_client()
                if target.email:
                    client.post("/sign-in", data={"email": target.email, "password": password})
            client.get(target.url).close()  # warm up
            statements.clear()
            response = client.get(target.url)
            body = response.get_data()  # a streamed download runs its queries here
            response.close()
            if small:
                target.small_queries = len(statements)
                continue
            target.queries = len(statements)
            target.size = len(body)
            if (
                target.public
                and target.role != SIGNED_OUT
                and (response.status_code != 200 or target.queries <= SIGNED_IN_STATEMENTS)
            ):
                target.problem = _SAME
            elif response.status_code != 200:
                target.problem = f"answers {response.status_code}"
            elif response.mimetype != "text/html":
                target.kind = "download"
            elif target.endpoint in AGGREGATE:
                target.kind = "aggregate"
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
