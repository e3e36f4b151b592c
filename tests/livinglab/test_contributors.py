"""Public contributors: recording them, their feedback entered on their behalf, listing
them at co-design sessions, and crediting them (only when they agreed) in "You said, we
did". Runs on SQLite and PostgreSQL through the ``app`` fixture."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.models import (
    AttendeeKind,
    CodesignAttendee,
    CodesignSession,
    FeedbackItem,
    FeedbackSource,
    FeedbackStatus,
    Involvement,
    Pilot,
    PublicContributor,
)
from tests.dates import today, tomorrow
from tests.factories import days_from_today
from tests.helpers import login
from tests.livinglab.lab import by_slug, make_contributor

LONDON = "lon-inclusion-health"


def _when(day: date) -> dict[str, str]:
    return {
        "consent_on_day": str(day.day),
        "consent_on_month": str(day.month),
        "consent_on_year": str(day.year),
    }


def _contributor_form(**extra):
    data = {
        "pilot": LONDON,
        "display_name": "Jo B.",
        "involvement": ["codesign", "content_review"],
        "credit_consent": "yes",
        **_when(days_from_today(-3)),
        "notes": "Prefers email",
    }
    data.update(extra)
    return data


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _on_behalf(lab, **extra):
    data = {
        "pilot": LONDON,
        "version": str(lab.module.latest.id),
        "source": "patient_public",
        "contributor": "",
        "text": "Explain what happens after discharge",
    }
    data.update(extra)
    return data


def test_recording_and_editing_a_contributor(client, lab) -> None:
    login(client, lab.educator)
    assert client.get("/contributors/new").status_code == 200
    response = client.post("/contributors/new", data=_contributor_form())
    assert response.status_code == 302
    person = db.session.scalar(sa.select(PublicContributor))
    assert (person.display_name, person.credit_consent) == ("Jo B.", True)
    assert set(person.kinds) == {Involvement.CODESIGN, Involvement.CONTENT_REVIEW}
    assert person.credit_consent_on == days_from_today(-3)
    page = client.get("/contributors").get_data(as_text=True)
    assert "Jo B." in page and "Reviewing module content" in page
    edit = client.post(
        f"/contributors/{person.id}",
        data=_contributor_form(
            display_name="Jo Bee", involvement=["feedback"], credit_consent="no"
        ),
    )
    assert edit.status_code == 302
    db.session.expire_all()
    person = db.session.get(PublicContributor, person.id)
    assert (person.display_name, person.credit_consent, person.kinds) == (
        "Jo Bee",
        False,
        [Involvement.FEEDBACK],
    )


def test_the_list_pages_and_searches(client, lab) -> None:
    pilot = by_slug(Pilot, LONDON)
    for n in range(55):
        make_contributor(pilot, name=f"Reader {n:02d}")
    make_contributor(pilot, name="Harbour Walker")
    db.session.commit()
    login(client, lab.educator)
    first = client.get("/contributors").get_data(as_text=True)
    assert "Showing 1 to 50 of 56" in first and "Harbour Walker" in first
    second = client.get("/contributors?page=2").get_data(as_text=True)
    assert "Reader 54" in second and "Harbour Walker" not in second
    found = client.get("/contributors?q=walker").get_data(as_text=True)
    assert "Showing 1 to 1 of 1" in found and "Reader 01" not in found
    assert client.get("/contributors?show=nonsense").status_code == 400
    assert client.get("/contributors?q=" + "x" * 101).status_code == 400


def test_bad_input_is_refused_with_the_field_named_and_nothing_written(client, lab) -> None:
    login(client, lab.educator)
    make_contributor(by_slug(Pilot, LONDON), name="Taken Name")
    db.session.commit()
    cases = [
        ({"display_name": ""}, "Enter a display name or pseudonym"),
        ({"display_name": "   "}, "Enter a display name or pseudonym"),
        ({"display_name": "x" * 101}, "Display name must be 100 characters or fewer"),
        ({"display_name": "Jo\x00B"}, "Display name"),
        ({"display_name": "taken name"}, "is already recorded for this pilot"),
        ({"involvement": []}, "Select how they take part"),
        ({"involvement": ["juggling"]}, "Choose how they take part from the list"),
        ({"credit_consent": "maybe"}, "Select whether they agreed to be named in credits"),
        ({"credit_consent": ""}, "Select whether they agreed to be named in credits"),
        ({"pilot": "sw-remote-rural-coastal"}, "Choose a pilot from the list"),
        ({"pilot": "nowhere"}, "Choose a pilot from the list"),
        ({"pilot": ""}, "Select a pilot"),
        (_when(tomorrow()), "must be today or in the past"),
        ({"consent_on_day": "31", "consent_on_month": "2"}, "Date must be a real date"),
        ({"consent_on_day": "", "consent_on_month": "", "consent_on_year": ""}, "Enter the date"),
        ({"notes": "n" * 2001}, "Notes must be 2,000 characters or fewer"),
    ]
    for change, message in cases:
        response = client.post("/contributors/new", data=_contributor_form(**change))
        page = response.get_data(as_text=True)
        assert response.status_code == 400, change
        assert message in page, (change, message)
        assert "There is a problem" in page
    assert _count(PublicContributor) == 1


def test_other_pilots_contributors_are_not_found_and_participants_are_refused(client, lab) -> None:
    london = make_contributor(by_slug(Pilot, LONDON), name="London Voice")
    elsewhere = make_contributor(by_slug(Pilot, "sw-remote-rural-coastal"), name="Coast Voice")
    db.session.commit()
    login(client, lab.educator)
    for url in (f"/contributors/{elsewhere.id}",):
        assert client.get(url).status_code == 404
    for action in ("retire", "reinstate"):
        assert client.post(f"/contributors/{elsewhere.id}/{action}").status_code == 404
    edit = client.post(f"/contributors/{elsewhere.id}", data=_contributor_form())
    assert edit.status_code == 404
    assert "Coast Voice" not in client.get("/contributors?show=all").get_data(as_text=True)
    assert client.get("/contributors/99999999").status_code == 404
    # Naming another pilot's contributor on feedback is refused too.
    sneaky = client.post("/feedback/new", data=_on_behalf(lab, contributor=str(elsewhere.id)))
    assert sneaky.status_code == 400
    assert (
        db.session.scalar(
            sa.select(PublicContributor.display_name).where(PublicContributor.id == elsewhere.id)
        )
        == "Coast Voice"
    )
    client.post("/logout")
    login(client, lab.participant)
    for url in ("/contributors", "/contributors/new", "/feedback/new"):
        assert client.get(url).status_code == 403, url
    # A record's own pages do not even confirm that it exists.
    assert client.get(f"/contributors/{london.id}").status_code == 404
    assert client.post(f"/contributors/{london.id}/retire").status_code == 404


def test_a_referenced_contributor_is_retired_not_deleted(client, lab) -> None:
    pilot = by_slug(Pilot, LONDON)
    unused = make_contributor(pilot, name="Never Used")
    used = make_contributor(pilot, name="Often Heard")
    db.session.commit()
    login(client, lab.educator)
    client.post("/feedback/new", data=_on_behalf(lab, contributor=str(used.id)))
    assert client.post(f"/contributors/{unused.id}/retire").status_code == 302
    assert db.session.get(PublicContributor, unused.id) is None
    retired = client.post(f"/contributors/{used.id}/retire", follow_redirects=True)
    assert "Retired Often Heard" in retired.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PublicContributor, used.id).retired_at is not None
    current = client.get("/contributors").get_data(as_text=True)
    assert "Often Heard" not in current
    assert "Often Heard" in client.get("/contributors?show=retired").get_data(as_text=True)
    # A retired contributor cannot be linked to anything new until reinstated.
    again = client.post(
        "/feedback/new", data=_on_behalf(lab, contributor=str(used.id), text="Another thought")
    )
    assert again.status_code == 400
    assert client.post(f"/contributors/{used.id}/reinstate").status_code == 302
    db.session.expire_all()
    assert db.session.get(PublicContributor, used.id).retired_at is None


def test_feedback_on_behalf_joins_the_inbox_under_its_source(client, lab) -> None:
    person = make_contributor(by_slug(Pilot, LONDON), name="Jo B.")
    db.session.commit()
    login(client, lab.educator)
    form = client.get(f"/feedback/new?contributor={person.id}").get_data(as_text=True)
    assert f'<option value="{person.id}" selected>' in form
    response = client.post("/feedback/new", data=_on_behalf(lab, contributor=str(person.id)))
    assert response.status_code == 302
    twice = client.post("/feedback/new", data=_on_behalf(lab, contributor=str(person.id)))
    assert twice.status_code == 302  # a second click finds the same item
    educator = client.post(
        "/feedback/new", data=_on_behalf(lab, source="educator", text="Too much reading")
    )
    assert educator.status_code == 302
    items = db.session.scalars(
        sa.select(FeedbackItem).where(FeedbackItem.pilot_id.is_not(None)).order_by(FeedbackItem.id)
    ).all()
    assert [(i.source, i.contributor_id, i.entered_by_id) for i in items] == [
        (FeedbackSource.PATIENT_PUBLIC, person.id, lab.educator.id),
        (FeedbackSource.EDUCATOR, None, lab.educator.id),
    ]
    assert items[0].status is FeedbackStatus.RECEIVED
    public = client.get("/feedback?source=patient_public").get_data(as_text=True)
    assert "Explain what happens after discharge" in public and "Too much reading" not in public
    assert "Too much reading" in client.get("/feedback?source=educator").get_data(as_text=True)
    item_page = client.get(f"/feedback/{items[0].id}").get_data(as_text=True)
    assert "Jo B." in item_page and "Recorded on their behalf by" in item_page
    # Another pilot's educator neither sees nor opens it.
    client.post("/logout")
    login(client, lab.sw_educator)
    assert client.get(f"/feedback/{items[0].id}").status_code == 404
    assert "after discharge" not in client.get("/feedback").get_data(as_text=True)


def test_feedback_on_behalf_refuses_bad_input(client, lab) -> None:
    person = make_contributor(by_slug(Pilot, LONDON), name="Jo B.")
    db.session.commit()
    login(client, lab.educator)
    cases = [
        ({"text": ""}, "Enter the feedback"),
        ({"text": "x" * 2001}, "Feedback must be 2,000 characters or fewer"),
        ({"source": "participant"}, "Select who the feedback is from"),
        ({"source": "codesign_session"}, "Select who the feedback is from"),
        ({"version": ""}, "Select a module version"),
        ({"pilot": ""}, "Select a pilot"),
        ({"version": "999999"}, "Choose a module version from the list"),
        ({"version": str(lab.sw_module.latest.id)}, "Choose a module version from the list"),
        ({"contributor": "abc"}, "Choose a recorded public contributor from the list"),
        (
            {"source": "educator", "contributor": str(person.id)},
            "Only feedback from a patient or member of the public can name",
        ),
    ]
    for change, message in cases:
        response = client.post("/feedback/new", data=_on_behalf(lab, **change))
        assert response.status_code == 400, change
        assert message in response.get_data(as_text=True), (change, message)
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(FeedbackItem.pilot_id.is_not(None))) == 0
    )


def _session(lab) -> CodesignSession:
    session = CodesignSession(
        pilot=lab.london.pilot, held_on=days_from_today(-5), title="Winter review"
    )
    db.session.add(session)
    db.session.commit()
    return session


def test_sessions_list_attendees_by_type(client, lab) -> None:
    session = _session(lab)
    person = make_contributor(by_slug(Pilot, LONDON), name="Jo B.")
    other = make_contributor(by_slug(Pilot, "sw-remote-rural-coastal"), name="Coast Voice")
    db.session.commit()
    login(client, lab.educator)
    url = f"/codesign/{session.id}/attendees"
    page = client.get(f"/codesign/{session.id}").get_data(as_text=True)
    assert "Coast Voice" not in page  # not offered: another pilot's contributor
    added = client.post(
        url, data={"attendee-kind": "patient_public", "attendee-contributor": str(person.id)}
    )
    assert added.status_code == 302
    nurse = client.post(
        url, data={"attendee-kind": "other", "attendee-description": "Practice nurse"}
    )
    assert nurse.status_code == 302
    refusals = [
        (
            {"attendee-kind": "patient_public", "attendee-contributor": str(person.id)},
            "already listed",
        ),
        (
            {"attendee-kind": "educator", "attendee-contributor": str(person.id)},
            "attends as a patient",
        ),
        (
            {"attendee-kind": "patient_public", "attendee-contributor": str(other.id)},
            "from the list",
        ),
        ({"attendee-kind": "educator"}, "Enter their name or role"),
        (
            {"attendee-kind": "visitor", "attendee-description": "Someone"},
            "Select what they attended as",
        ),
        ({"attendee-kind": "other", "attendee-description": "x" * 101}, "100 characters or fewer"),
    ]
    for data, message in refusals:
        response = client.post(url, data=data)
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), (data, message)
    db.session.expire_all()
    session = db.session.get(CodesignSession, session.id)
    # Listing someone counts them: the headcount of their type covers everyone listed.
    assert (session.patients_public_count, session.other_professionals_count) == (1, 1)
    listed = db.session.scalars(sa.select(CodesignAttendee).order_by(CodesignAttendee.id)).all()
    assert [(a.kind, a.contributor_id, a.description) for a in listed] == [
        (AttendeeKind.PATIENT_PUBLIC, person.id, None),
        (AttendeeKind.OTHER, None, "Practice nurse"),
    ]
    page = client.get(f"/codesign/{session.id}").get_data(as_text=True)
    assert "Jo B." in page and "Practice nurse" in page and "Who came" in page
    removed = client.post(
        f"/codesign/{session.id}/attendees/remove", data={"attendee": listed[1].id}
    )
    assert removed.status_code == 302
    assert _count(CodesignAttendee) == 1
    db.session.expire_all()
    assert db.session.get(CodesignSession, session.id).other_professionals_count == 1
    gone = client.post(f"/codesign/{session.id}/attendees/remove", data={"attendee": "x"})
    assert gone.status_code == 400
    client.post("/logout")
    login(client, lab.sw_educator)
    assert (
        client.post(url, data={"attendee-kind": "other", "attendee-description": "Me"}).status_code
        == 404
    )


def _publish_addressing(client, lab, ids: list[int]) -> None:
    from tests.livinglab.test_livinglab_loop import _version_form

    response = client.post(
        f"/modules/{lab.module.slug}/versions/new",
        data=_version_form(lab.module, addresses=ids, changelog="Added a discharge section"),
    )
    assert response.status_code == 302


def test_you_said_we_did_credits_only_those_who_agreed(client, lab) -> None:
    pilot = by_slug(Pilot, LONDON)
    named = make_contributor(pilot, name="Jo B.", consent=True)
    private = make_contributor(pilot, name="Sam Private", consent=False)
    db.session.commit()
    login(client, lab.educator)
    for person, text in ((named, "Explain discharge"), (private, "Say who to call")):
        client.post("/feedback/new", data=_on_behalf(lab, contributor=str(person.id), text=text))
    ids = list(
        db.session.scalars(sa.select(FeedbackItem.id).where(FeedbackItem.pilot_id.is_not(None)))
    )
    _publish_addressing(client, lab, ids)
    page = client.get(f"/modules/{lab.module.slug}").get_data(as_text=True)
    assert "Explain discharge" in page and "Say who to call" in page
    assert "Jo B., public contributor" in page
    assert "With thanks to our public contributors Jo B.." in page
    assert "Sam Private" not in page
    assert "Patient or public member" in page  # how the one who said no is shown
    # Withdrawing agreement removes the name everywhere at once.
    client.post(
        f"/contributors/{named.id}",
        data=_contributor_form(display_name="Jo B.", credit_consent="no", **_when(today())),
        follow_redirects=True,
    )
    later = client.get(f"/modules/{lab.module.slug}").get_data(as_text=True)
    assert "Explain discharge" in later and "Jo B." not in later
    # A participant reading the module sees the same credits rule.
    client.post("/logout")
    login(client, lab.participant)
    shown = client.get(f"/modules/{lab.module.slug}").get_data(as_text=True)
    assert "Sam Private" not in shown and "Jo B." not in shown


def test_consent_dates_may_be_today_but_not_before_the_pilots(client, lab) -> None:
    login(client, lab.educator)
    ok = client.post("/contributors/new", data=_contributor_form(**_when(today())))
    assert ok.status_code == 302
    old = client.post(
        "/contributors/new",
        data=_contributor_form(display_name="Other", **_when(date(2019, 12, 31))),
    )
    assert old.status_code == 400
    assert "Date must be in 2020 or later" in old.get_data(as_text=True)


def test_a_session_suggestion_can_name_a_recorded_contributor(client, lab) -> None:
    session = _session(lab)
    person = make_contributor(by_slug(Pilot, LONDON), name="Jo B.")
    other = make_contributor(by_slug(Pilot, "sw-remote-rural-coastal"), name="Coast Voice")
    db.session.commit()
    login(client, lab.educator)
    url = f"/codesign/{session.id}/suggestions"
    data = {
        "version": str(lab.module.latest.id),
        "source": "patient_public",
        "contributor": str(person.id),
        "text": "Add a glossary",
    }
    assert client.post(url, data=data).status_code == 302
    item = db.session.scalar(sa.select(FeedbackItem).where(FeedbackItem.text == "Add a glossary"))
    assert (item.contributor_id, item.codesign_session_id) == (person.id, session.id)
    assert "Patient or public member: Jo B." in client.get(f"/codesign/{session.id}").get_data(
        as_text=True
    )
    wrong_source = client.post(url, data={**data, "source": "educator", "text": "Other"})
    assert wrong_source.status_code == 400
    assert "Only a suggestion from a patient or member of the public" in wrong_source.get_data(
        as_text=True
    )
    elsewhere = client.post(url, data={**data, "contributor": str(other.id), "text": "Other"})
    assert elsewhere.status_code == 400
    assert "Choose a recorded public contributor from the list" in elsewhere.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).where(FeedbackItem.text == "Other")) == 0


def test_a_national_admin_must_choose_the_pilot(client, lab) -> None:
    login(client, lab.admin)
    for url, data in (
        ("/contributors/new", _contributor_form(pilot="")),
        ("/feedback/new", _on_behalf(lab, pilot="")),
    ):
        response = client.post(url, data=data)
        assert response.status_code == 400, url
        assert "Select a pilot" in response.get_data(as_text=True)
    assert (
        client.post(
            "/contributors/new", data=_contributor_form(pilot="sw-remote-rural-coastal")
        ).status_code
        == 302
    )


def test_finding_a_version_on_the_behalf_form_saves_nothing(client, lab) -> None:
    """The version list is the bounded picker: "Find versions" narrows it by a word of the
    title, keeps what was typed, and records nothing."""
    login(client, lab.educator)
    before = db.session.scalar(sa.select(sa.func.count(FeedbackItem.id)))
    word = lab.module.latest.title.split()[0]
    page = client.post("/feedback/new", data=_on_behalf(lab, version="", action="find", find=word))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'value="{lab.module.latest.id}"' in html
    assert "Explain what happens after discharge" in html
    missing = client.post(
        "/feedback/new", data=_on_behalf(lab, version="", action="find", find="zzzz-no-such")
    ).get_data(as_text=True)
    assert f'value="{lab.module.latest.id}"' not in missing
    assert db.session.scalar(sa.select(sa.func.count(FeedbackItem.id))) == before


def test_a_session_page_reads_its_items_in_the_same_statements_however_many(
    client, lab, count_queries
) -> None:
    """The items come with their version, module and contributor; their pilot and region
    are the session's own, read with it, so no item costs a statement of its own."""
    session = _session(lab)
    person = make_contributor(by_slug(Pilot, LONDON), name="Jo B.")
    db.session.commit()
    login(client, lab.educator)
    url = f"/codesign/{session.id}/suggestions"

    def suggest(text: str) -> None:
        data = {
            "version": str(lab.module.latest.id),
            "source": "patient_public",
            "contributor": str(person.id),
            "text": text,
        }
        assert client.post(url, data=data).status_code == 302

    def statements() -> list[str]:
        db.session.expire_all()
        with count_queries() as seen:
            page = client.get(f"/codesign/{session.id}").get_data(as_text=True)
        assert "Patient or public member: Jo B." in page
        return seen

    suggest("Add a glossary")
    one = statements()
    for n in range(4):
        suggest(f"Add an example {n}")
    assert len(statements()) == len(one)
    assert not [s for s in one if s.startswith(("SELECT pilot.", "SELECT region."))]
