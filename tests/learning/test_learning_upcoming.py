"""The loop, seen by a participant: which version they have, what changed in later
versions and when those reach their cohort; the next releases on their pages."""

from __future__ import annotations

from datetime import timedelta

from futuredoctor.extensions import db
from futuredoctor.models import FeedbackItem, FeedbackSource, FeedbackStatus
from tests.factories import make_release
from tests.helpers import login
from tests.learning.conftest import add_version, enrolment_of


def test_a_later_version_is_coming_not_done_until_it_reaches_the_cohort(client, journey) -> None:
    module = journey.modules["old"]
    later = add_version(module, 2)
    item = FeedbackItem(
        module_version_id=module.versions[0].id,
        enrolment_id=enrolment_of(journey.participant).id,
        source=FeedbackSource.PARTICIPANT,
        text="Please add a worked example",
        notify_on_action=True,
        status=FeedbackStatus.DONE,
        addressed_by_version_id=later.id,
    )
    db.session.add(item)
    db.session.commit()
    login(client, journey.participant)
    page = client.get("/modules/mod-old").get_data(as_text=True)
    assert "You are taking version 1" in page
    assert "Coming to your cohort" in page and "Changes in version 2" in page
    assert "has not been scheduled for" in page
    # Version 2's "we did" is not told as done while the participant cannot see it.
    assert "Version 2</h3>" not in page and "Please add a worked example" not in page

    release = make_release(later, journey.cohort, days_from_now=3)
    db.session.commit()
    page = client.get("/modules/mod-old").get_data(as_text=True)
    assert "It reaches" in page and "Version 2</h3>" not in page

    release.release_at -= timedelta(days=5)
    db.session.commit()
    page = client.get("/modules/mod-old").get_data(as_text=True)
    assert "Coming to your cohort" not in page
    assert "Version 2</h3>" in page and "Please add a worked example" in page


def test_next_releases_and_empty_states_say_when(client, journey) -> None:
    login(client, journey.participant)
    home = client.get("/").get_data(as_text=True)
    assert 'id="next-releases"' in home and "Module future" in home
    future = client.get("/modules/mod-future").get_data(as_text=True)
    assert "has not been released to your cohort yet" in future
    assert "It is scheduled to reach you on" in future
    learning = client.get("/my-learning").get_data(as_text=True)
    assert "Coming next" in learning and "Module future" in learning

    for release in journey.releases.values():
        release.release_at += timedelta(days=400)
    db.session.commit()
    learning = client.get("/my-learning").get_data(as_text=True)
    assert "No modules have been released to you yet. The first comes on" in learning
    home = client.get("/").get_data(as_text=True)
    assert "No modules have been released to your cohort yet. The first comes on" in home


def test_the_module_page_reads_a_module_and_its_later_versions_in_few_statements(
    journey, count_queries
) -> None:
    """The module with its versions in one statement and their domains in one more; the
    version taken, the person's progress and when each later version reaches their cohort
    in one more, whether or not a later version is coming (each used to load the versions
    again, with their domains, and a later version cost a statement of its own)."""
    from futuredoctor.learning.journey import entry_for
    from futuredoctor.learning.services import module_by_slug
    from futuredoctor.learning.upcoming import later_versions

    later = add_version(journey.modules["old"], 2)
    make_release(later, journey.cohort, days_from_now=3)
    db.session.commit()
    db.session.expire_all()
    with count_queries() as statements:
        found = module_by_slug("mod-old")
        assert found is not None
        shown = [(v.number, [d.code for d in v.domains]) for v in found.versions]
    assert len(statements) == 2 and [number for number, _ in shown] == [1, 2]
    assert journey.participant.id  # the person read again before counting
    with count_queries() as statements:
        entry = entry_for(journey.participant, "mod-old")
        assert entry is not None and entry.version.number == 1
        coming = later_versions(found, entry.version.number, entry.reaches)
    assert len(statements) == 1
    assert [(c.version.number, c.reaches_at is not None, c.released) for c in coming] == [
        (2, True, False)
    ]
    assert later_versions(found, 2, entry.reaches) == []


def test_staff_on_the_module_page_read_no_journey(client, journey, count_queries) -> None:
    """Enrolling grants the participant role: a national admin (who may take modules) sees
    the newest version without the statement that finds a participant's releases."""
    from futuredoctor.models import Role
    from tests.factories import make_user
    from tests.helpers import login

    later = add_version(journey.modules["old"], 2)
    make_release(later, journey.cohort, days_from_now=3)
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    db.session.commit()
    login(client, admin)
    client.get("/modules/mod-old")
    with count_queries() as statements:
        page = client.get("/modules/mod-old").get_data(as_text=True)
    assert "version 2" in page.lower()
    assert not [s for s in statements if "JOIN enrolment ON enrolment.cohort_id" in s]


def test_the_version_a_participant_takes_comes_with_their_progress_in_one_statement(
    journey, count_queries
) -> None:
    """The releases of the module to their cohorts, the versions and the progress on each:
    read apart, the progress was a statement of its own on every module page."""
    from futuredoctor.learning.journey import entry_for

    db.session.expire_all()
    assert journey.participant.id  # the person read again before counting
    with count_queries() as statements:
        entry = entry_for(journey.participant, "mod-old")
    assert entry is not None and entry.version.number == 1
    assert len(statements) == 1, statements
