"""The participant's dashboard and home page: released modules, status, what is new, the
version taken, and a query count that does not grow with the number of modules."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.learning.journey import journey_summary
from futuredoctor.models import AuditEvent, Progress, Role, utcnow
from tests.factories import make_module, make_release, make_user
from tests.helpers import login
from tests.learning.conftest import add_version, enrolment_of


def _row(html: str, title: str) -> str:
    start = html.index(f">{title}</a>")
    return html[start : html.index("</tr>", start)]


def test_dashboard_lists_released_modules_with_status(client, journey) -> None:
    db.session.add_all(
        [
            Progress(
                enrolment_id=enrolment_of(journey.participant).id,
                release_id=journey.releases["old"].id,
                started_at=utcnow() - timedelta(days=30),
                completed_at=utcnow() - timedelta(days=29),
            ),
            Progress(
                enrolment_id=enrolment_of(journey.participant).id,
                release_id=journey.releases["recent"].id,
                started_at=utcnow(),
            ),
        ]
    )
    db.session.commit()
    login(client, journey.participant)
    html = client.get("/my-learning").get_data(as_text=True)
    table, coming = html.split('id="next-releases"')
    assert "Module future" not in table and "Module future" in coming  # not released yet
    assert "Completed" in _row(html, "Module old")
    assert "In progress" in _row(html, "Module recent")
    assert "Not started" in _row(html, "Module today")
    assert "20</span> minutes of learning completed" in html


def test_new_means_released_in_the_last_14_days_or_since_the_previous_visit(
    client, journey
) -> None:
    summary = journey_summary(journey.participant)
    new = {e.slug for e in summary.entries if e.is_new}
    assert new == {"mod-recent", "mod-today"}
    # Signed in 50 days ago, and again now: everything since the earlier visit is new.
    db.session.add(
        AuditEvent(
            action="login.succeeded",
            actor_id=journey.participant.id,
            occurred_at=utcnow() - timedelta(days=50),
        )
    )
    db.session.commit()
    login(client, journey.participant)
    summary = journey_summary(journey.participant)
    assert {e.slug for e in summary.entries if e.is_new} == {
        "mod-old",
        "mod-recent",
        "mod-today",
    }
    html = client.get("/my-learning").get_data(as_text=True)
    assert "since your last visit" in html
    assert "New</strong>" in _row(html, "Module old")


def test_newer_released_version_supersedes_but_unreleased_one_is_not_shown(client, journey) -> None:
    module = journey.modules["recent"]
    v2 = add_version(module, 2, title="Module recent, revised")
    v3 = add_version(module, 3, title="Module recent, draft")
    make_release(v2, journey.cohort, days_from_now=-1)
    make_release(v3, journey.cohort, days_from_now=10)
    db.session.commit()
    login(client, journey.participant)
    html = client.get("/my-learning").get_data(as_text=True)
    assert "Module recent, revised" in html
    table, coming = html.split('id="next-releases"')
    assert "draft" not in table and "draft" in coming  # listed as coming, not as released
    page = client.get("/modules/mod-recent").get_data(as_text=True)
    assert "<h1>Module recent, revised</h1>" in page
    assert "You are taking version 2" in page
    # Someone who is not a participant sees the newest version in the catalogue view.
    viewer = make_user()
    db.session.commit()
    login(client, viewer)
    assert "<h1>Module recent, draft</h1>" in client.get("/modules/mod-recent").get_data(
        as_text=True
    )


def test_progress_stays_with_the_version_started(client, journey) -> None:
    login(client, journey.participant)
    client.post("/modules/mod-recent/start")
    v2 = add_version(journey.modules["recent"], 2, title="Module recent, revised")
    make_release(v2, journey.cohort, days_from_now=-0.01)
    db.session.commit()
    page = client.get("/modules/mod-recent").get_data(as_text=True)
    assert "You are taking version 1" in page
    assert "Version 2 has been released since you started" in page
    client.post("/modules/mod-recent/start", data={"version": "2"})
    page = client.get("/modules/mod-recent").get_data(as_text=True)
    assert "You are taking version 2" in page
    # A version that was never released to them is refused.
    response = client.post(
        "/modules/mod-recent/start", data={"version": "9"}, follow_redirects=True
    )
    assert "Version 9 has not been released to you" in response.get_data(as_text=True)


def test_dashboard_query_count_does_not_grow_with_modules(client, journey, count_queries) -> None:
    login(client, journey.participant)
    client.get("/my-learning")
    with count_queries() as few:
        assert client.get("/my-learning").status_code == 200
    for n in range(12):
        module = make_module(title=f"Extra {n}")
        make_release(module.versions[0], journey.cohort, days_from_now=-2)
    db.session.commit()
    with count_queries() as many:
        html = client.get("/my-learning").get_data(as_text=True)
    assert "Extra 11" in html
    assert len(many) == len(few)


def test_home_page_shows_the_same_summary(client, journey, count_queries) -> None:
    login(client, journey.participant)
    html = client.get("/").get_data(as_text=True)
    assert "Modules released to you" in html
    assert "Module today" in html
    assert "minutes of learning completed" in html
    with count_queries() as few:
        client.get("/")
    module = make_module(title="Extra")
    make_release(module.versions[0], journey.cohort, days_from_now=-2)
    db.session.commit()
    with count_queries() as many:
        client.get("/")
    assert len(many) == len(few)
    # Cohorts, the journey, progress, the previous visit and what comes next: one statement.
    assert len([s for s in many if re.search(r"\brelease\b", s)]) == 1


def test_people_without_an_enrolment_see_an_empty_dashboard(client, journey) -> None:
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    db.session.commit()
    login(client, admin)
    response = client.get("/my-learning")
    assert response.status_code == 200
    assert "No modules have been released to you yet" in response.get_data(as_text=True)


def test_staff_without_the_participant_role_are_refused(client, journey) -> None:
    login(client, journey.educator)
    assert client.get("/my-learning").status_code == 403
    assert client.post("/modules/mod-old/start").status_code == 403
    assert client.get("/modules/mod-old/reflection").status_code == 403


def test_each_person_sees_their_own_name_in_one_kept_header(client, journey, app) -> None:
    """The header is remembered once for both participants (same navigation); each page
    carries its own person's name, escaped, and no name is kept."""
    from futuredoctor.chrome import cached

    journey.other.given_name = "Tom <b>"
    db.session.commit()
    pages = {}
    for person in (journey.participant, journey.other, journey.participant):
        login(client, person)
        pages[person.id] = client.get("/").get_data(as_text=True)
        client.post("/sign-out")
    mine, theirs = pages[journey.participant.id], pages[journey.other.id]
    assert journey.participant.full_name in mine and "Tom" not in mine
    assert "Tom &lt;b&gt;" in theirs and journey.participant.full_name not in theirs
    headers = [key for key in cached(app.jinja_env) if key[0] == "header"]
    kept = " ".join(str(key) for key in headers)
    assert len(headers) == 1 and "Tom" not in kept
    assert journey.participant.given_name not in kept


def _plans_after_eight_visits(client, person, url: str) -> list[tuple[str, int, int]]:
    """(statement, generic plans, custom plans) of the connection's prepared statements
    after ``person`` opened ``url`` eight times (PostgreSQL only)."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("plan caching is PostgreSQL's")
    login(client, person)
    for _ in range(8):
        assert client.get(url).status_code == 200
    plans = "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
    return [tuple(row) for row in db.session.execute(sa.text(plans))]


def test_the_home_keeps_one_plan_for_the_journey_and_the_opportunities(client, journey) -> None:
    """On PostgreSQL the journey and the opportunities meant for the person are planned
    once per connection (their plan is the same for everyone), the account check still
    for its own values; the page ends read-only, so the prepared statements live on."""
    plans = _plans_after_eight_visits(client, journey.participant, "/")

    def plans_of(text: str) -> tuple[int, int]:
        (found,) = [(g, c) for statement, g, c in plans if text in statement]
        return found

    assert plans_of("AS previous_visit")[0] > 0  # the journey
    assert plans_of("opportunity.starts_at >")[0] > 0  # the opportunities for the person
    generic, custom = plans_of("user_session.token_hash")  # the account check
    assert generic == 0 and custom > 0


def test_the_module_page_keeps_one_plan_for_the_persons_own_rows(client, journey) -> None:
    """On PostgreSQL the participant's releases of the module and their feedback on it are
    planned once per connection; the module itself is still planned for its slug."""
    plans = _plans_after_eight_visits(client, journey.participant, "/modules/mod-old")
    journey_plans = [g for s, g, _ in plans if "enrolment.user_id" in s and "module.slug" in s]
    feedback_plans = [g for s, g, _ in plans if "feedback_item.enrolment_id = " in s]
    module_plans = [g for s, g, _ in plans if s.startswith("SELECT module.id")]
    assert journey_plans and min(journey_plans) > 0
    assert feedback_plans and min(feedback_plans) > 0
    assert module_plans and max(module_plans) == 0


def test_the_completion_record_keeps_one_plan_for_the_persons_completions(
    client, journey
) -> None:
    """The record's completions (the person's own progress rows, by their id) are planned
    once per connection on PostgreSQL."""
    plans = _plans_after_eight_visits(
        client, journey.participant, "/my-learning/completion-record"
    )
    completed = [g for s, g, _ in plans if "progress.completed_at IS NOT NULL" in s]
    assert completed and min(completed) > 0
