"""Walk every registered route as every role (and signed out).

A new route without an access rule fails here; a scoped route is checked with a record
inside the role's scope (London) and one outside it (South West), which must be a 404.
Add sample values to ``SAMPLES`` when a route takes a new URL argument.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from futuredoctor import clock
from futuredoctor.extensions import db
from futuredoctor.models import (
    Enrolment,
    EnrolmentStatus,
    Notification,
    Pilot,
    Region,
    Role,
    User,
)
from futuredoctor.notifications.outbox import queue
from futuredoctor.permissions import ROLE_PERMISSIONS, access_rule
from tests.community.champions import ORGANISER_ONLY
from tests.community.champions import route_samples as champion_samples
from tests.community.network import route_samples as network_samples
from tests.educators.samples import route_samples as educator_samples
from tests.evaluation.projects import make_project
from tests.factories import current_cohorts, make_user
from tests.helpers import escaped_tags, login
from tests.livinglab.lab import route_samples as living_lab_samples
from tests.releases.samples import route_samples as release_samples

# URL argument -> (value inside the London scope, value outside it), per endpoint or "*".
SAMPLES: dict[tuple[str, str], tuple[Any, Any]] = {
    ("pilots.region", "code"): ("LON", "SW"),
    ("api.export_file", "file_name"): ("participants.csv", "sessions.csv"),
    ("pilots.pilot", "slug"): ("lon-inclusion-health", "sw-remote-rural-coastal"),
    ("pilots.learners", "slug"): ("lon-inclusion-health", "sw-remote-rural-coastal"),
    ("pilots.cohort", "slug"): ("lon-current", "sw-current"),
    ("releases.preview", "slug"): ("lon-current", "sw-current"),
    ("releases.dashboard", "code"): ("LON", "SW"),
    ("releases.dashboard_csv", "code"): ("LON", "SW"),
    **{
        (f"releases.{name}", "release_id"): ("london-release", "southwest-release")
        for name in ("detail", "change", "withdraw")
    },
    **{
        (f"learning.{name}", "release_id"): ("london-release", "southwest-release")
        for name in ("attendance",)
    },
    ("learning.module", "slug"): ("shared-decision-making", "teaching-on-the-job"),
    ("learning.module_start", "slug"): ("shared-decision-making", "teaching-on-the-job"),
    ("learning.module_complete", "slug"): ("shared-decision-making", "teaching-on-the-job"),
    ("learning.reflection", "slug"): ("shared-decision-making", "teaching-on-the-job"),
    ("learning.feedback", "slug"): ("shared-decision-making", "teaching-on-the-job"),
    **{
        (f"enrolment.{name}", "slug"): ("lon-current", "sw-current")
        for name in (
            "roster_view",
            "roster_export",
            "enrol",
            "withdraw",
            "re_enrol",
            "resend_invitation",
            "offer_places",
            "import_template",
            "import_people",
            "join",  # public: any real cohort's form page answers 200
            "join_requested",
        )
    },
    ("enrolment.invitation", "token"): ("not-a-token", "not-a-token"),  # public: says invalid
    ("enrolment.invitation_renew", "token"): ("not-a-token", "not-a-token"),
    ("auth.reset", "token"): ("not-a-token", "not-a-token"),  # public: says it does not work
    ("educators.give_feedback", "token"): ("not-a-token", "not-a-token"),  # public: says so
    ("auth.accept_staff_invitation", "token"): ("not-a-token", "not-a-token"),
    # Living lab: placeholders are replaced by ids made by ``living_lab_samples``.
    **{
        (f"livinglab.{name}", "item_id"): ("london-feedback", "southwest-feedback")
        for name in ("item", "item_status", "item_tags", "item_reply")
    },
    **{
        (f"livinglab.{name}", "session_id"): ("london-session", "southwest-session")
        for name in ("session", "session_suggestion")
    },
    **{
        (f"livinglab.{name}", "session_id"): ("london-session", "southwest-session")
        for name in ("session_attendee", "session_attendee_remove", "session_headcount")
    },
    **{
        (f"livinglab.{name}", "contributor_id"): ("london-contributor", "southwest-contributor")
        for name in ("contributor", "contributor_retire", "contributor_reinstate")
    },
    **{
        (f"livinglab.{name}", "slug"): ("shared-decision-making", "teaching-on-the-job")
        for name in ("version_new", "version_markdown", "changes", "ratings_view")
    },
    ("livinglab.version_markdown", "number"): (1, 1),
    # Champions: a public profile answers everyone (signed in or out) alike.
    ("community.champion", "profile_id"): ("public-champion", "public-champion"),
    ("community.message", "profile_id"): ("public-champion", "public-champion"),
    **{
        (f"community.{name}", "opportunity_id"): ("public-opportunity", "public-opportunity")
        for name in (
            "opportunity",
            "register",
            "cancel",
            "opportunity_ics",
            "opportunity_change",
            "opportunity_registrations",
            "attendance",
        )
    },
    ("community.calendar_feed", "token"): ("not-a-token", "not-a-token"),  # public: 404
    **{
        (f"community.network_{name}", "post_id"): ("network-post", "network-post")
        for name in (
            *("post", "edit", "delete", "comment", "useful", "report", "hide", "restore"),
            "queue_act",
        )
    },
}
# Filled in from the database below.
DYNAMIC_ARGS = {"user_id", "grant_id", "notification_id", "project_id"}
# The swept person's own educator records, made by ``educator_samples``.
DYNAMIC_ARGS |= {"assessment_id", "offer_id", "mentorship_id", "goal_id", "request_id"}

ROLES = [None, *Role]


def _rules(app: Flask) -> list[Any]:
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def test_every_route_declares_who_may_use_it(app: Flask) -> None:
    missing = [
        r.endpoint for r in _rules(app) if access_rule(app.view_functions[r.endpoint]) is None
    ]
    assert missing == []


def test_every_url_argument_has_sample_values(app: Flask) -> None:
    unknown = [
        (r.endpoint, arg)
        for r in _rules(app)
        for arg in r.arguments
        if (r.endpoint, arg) not in SAMPLES and arg not in DYNAMIC_ARGS
    ]
    assert unknown == [], "add sample values for these URL arguments to SAMPLES"


def _make_person(role: Role | None) -> User | None:
    london = db.session.scalar(sa.select(Region).where(Region.code == "LON"))
    pilot = db.session.scalar(sa.select(Pilot).where(Pilot.slug == "lon-inclusion-health"))
    scope = {
        Role.LEAD_EDUCATOR: pilot,
        Role.PILOT_ADMIN: pilot,
        Role.REGIONAL_LEAD: london,
        Role.EVALUATOR: london,
        Role.CHAMPION: london,
    }
    if role is None:
        return None
    user = make_user(roles=[(role, scope.get(role))])
    if role is Role.PARTICIPANT:
        cohort = current_cohorts()["lon-current"]
        db.session.add(Enrolment(user=user, cohort=cohort, status=EnrolmentStatus.ENROLLED))
    return user


def _expected(rule_info: tuple[Any, ...], role: Role | None, inside: bool) -> set[int]:
    kind = rule_info[0]
    if kind == "public":
        # Bearer-token API routes check the token themselves; none is sent here.
        if "metrics-token" in rule_info:
            return {404}  # no metrics token sent: as if nothing were there
        return {401} if "bearer-token" in rule_info else {200}
    if role is None:
        return {302}
    if kind == "signed_in":
        return {200}
    _, permission, scoped = rule_info
    allowed = permission in ROLE_PERMISSIONS[role]
    if scoped:
        return {200} if allowed and (inside or role is Role.NATIONAL_ADMIN) else {404}
    return {200} if allowed else {403}


def placeholder_samples() -> dict[Any, Any]:
    """The rows behind the placeholder values in ``SAMPLES``: each feature's own samples."""
    return {
        **living_lab_samples(),
        **release_samples(),
        **champion_samples(),
        **network_samples(),
    }


def dynamic_samples(user: User | None = None) -> dict[str, tuple[Any, Any]]:
    """Rows made per test for the arguments in ``DYNAMIC_ARGS`` (another person, their
    grant, a failed email in the outbox, an evaluation project, and ``user``'s own educator
    records), as (inside, outside)."""
    other = make_user(roles=[(Role.PARTICIPANT, None)])
    grant_id = other.grants[0].id
    db.session.commit()
    queue("module_released", other.id, "route-sweep", "Title", "Body")  # for the outbox
    db.session.execute(sa.update(Notification).values(failed_at=clock.now()))
    db.session.commit()
    notification_id = db.session.scalar(sa.select(Notification.id))
    project_id = make_project().id
    db.session.commit()
    return {
        "user_id": (other.id, other.id),
        "grant_id": (grant_id, grant_id),
        "notification_id": (notification_id, notification_id),
        "project_id": (project_id, project_id),
        **educator_samples(user),
    }


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "signed-out")
def test_every_route_for_every_role(app: Flask, client, role: Role | None) -> None:
    user = _make_person(role)
    dynamic = dynamic_samples(user)
    if user is not None:
        login(client, user)
    placeholders = placeholder_samples()
    failures = []
    for rule in _rules(app):
        info = access_rule(app.view_functions[rule.endpoint])
        for inside in (True, False):
            values = {
                arg: (dynamic.get(arg) or SAMPLES.get((rule.endpoint, arg)))[0 if inside else 1]
                for arg in rule.arguments
            }
            values = {arg: placeholders.get(value, value) for arg, value in values.items()}
            if not inside and set(rule.arguments) <= DYNAMIC_ARGS:
                continue  # nothing outside the scope to try
            with app.test_request_context():
                url = app.url_for(rule.endpoint, **values)
            if "GET" in rule.methods:
                response = client.get(url)
                status = response.status_code
                if status == 200 and response.mimetype == "text/html":
                    shown = escaped_tags(response.get_data(as_text=True))
                    if shown:
                        failures.append(f"GET {url} prints markup as text: {shown[:2]}")
                response.close()  # a streamed download ends here, inside the app's context
                expected = _expected(info, role, inside)
                if rule.endpoint == "auth.login" and role is not None:
                    expected = {302}  # already signed in: straight home
                if rule.endpoint == "enrolment.join_requested":
                    expected = {302}  # nobody asked to join from this browser: to the form
                if rule.endpoint == "community.calendar_feed":
                    expected = {404}  # no such feed token
                if rule.endpoint in ORGANISER_ONLY and expected == {200}:
                    expected = {404}  # someone else's opportunity
            else:
                status = client.post(url, data={}).status_code
                expected_get = _expected(info, role, inside)
                # A refused POST must be refused the same way; an allowed one may answer
                # anything but a server error.
                if rule.endpoint in ORGANISER_ONLY and expected_get == {200}:
                    expected_get = {404}  # someone else's opportunity
                if expected_get & {302, 403, 404}:
                    expected = expected_get
                else:
                    expected = set(range(200, 500)) - {403, 404}
            if status not in expected:
                failures.append(
                    f"{rule.methods - {'HEAD', 'OPTIONS'}} {url}: {status}, expected {expected}"
                )
    assert failures == []
