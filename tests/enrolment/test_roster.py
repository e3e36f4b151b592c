"""The roster: search, paging, invitation status, progress counts, and the CSV export."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from futuredoctor.enrolment import capacity
from futuredoctor.models import AuditEvent, EnrolmentStatus, Progress, utcnow
from futuredoctor.spreadsheet import protect
from tests.factories import current_cohorts, make_cohort, make_module, make_release, make_user


def _fill(db_session, cohort, pilot_admin, count: int, release, start: int = 0) -> None:
    for i in range(start, start + count):
        person = make_user(given_name=f"Given{i:03d}", family_name=f"Family{i:03d}")
        enrolment = capacity.enrol(person, cohort, pilot_admin)
        db_session.add(
            Progress(
                enrolment=enrolment,
                release=release,
                started_at=utcnow(),
                completed_at=utcnow() if i % 2 else None,
            )
        )
    db_session.commit()


def test_roster_pages_search_and_cost_the_same_queries_whatever_their_length(
    admin_client, db_session, london_pilot, pilot_admin, count_queries
):
    cohort = make_cohort(london_pilot, slug="lon-roster", capacity=500)
    release = make_release(make_module().latest, cohort)
    _fill(db_session, cohort, pilot_admin, 3, release)
    with count_queries() as few:
        page = admin_client.get("/cohorts/lon-roster/roster")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Given001 Family001" in body and "Sent" in body and "1 of 1" in body
    _fill(db_session, cohort, pilot_admin, 60, release, start=3)
    with count_queries() as many:
        page = admin_client.get("/cohorts/lon-roster/roster")
    assert page.status_code == 200
    assert len(many) == len(few), (len(few), len(many))
    assert "Showing 1 to 50 of 63" in page.get_data(as_text=True)
    assert admin_client.get("/cohorts/lon-roster/roster?page=2").status_code == 200
    assert admin_client.get("/cohorts/lon-roster/roster?page=3").status_code == 404
    found = admin_client.get("/cohorts/lon-roster/roster?q=given002+family002").get_data(
        as_text=True
    )
    assert "Given002 Family002" in found and "Given003" not in found
    assert "Showing 1 to 1 of 1" in found
    bad = admin_client.get("/cohorts/lon-roster/roster?status=nonsense")
    assert bad.status_code == 400


def test_other_regions_rosters_are_not_found(admin_client, db_session):
    current_cohorts()
    db_session.commit()
    assert admin_client.get("/cohorts/sw-current/roster").status_code == 404
    assert admin_client.get("/cohorts/sw-current/roster.csv").status_code == 404
    assert admin_client.get("/cohorts/lon-current/roster").status_code == 200


def test_export_is_streamed_formula_safe_and_audited(
    admin_client, db_session, small_cohort, pilot_admin
):
    person = make_user(given_name="=cmd|' /C calc'!A0", family_name="@SUM(1+1)")
    person.employer = "-2+3"
    capacity.enrol(person, small_cohort, pilot_admin)
    capacity.enrol(make_user(given_name="Plain"), small_cohort, pilot_admin)
    db_session.commit()
    response = admin_client.get("/cohorts/lon-small/roster.csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert len(rows) == 2
    risky = next(r for r in rows if r["family_name"].startswith("'"))
    assert risky["given_name"] == "'=cmd|' /C calc'!A0"
    assert risky["family_name"] == "'@SUM(1+1)"
    assert risky["employer"] == "'-2+3"
    assert risky["invitation"] == "Sent" and risky["modules_completed"] == "0"
    assert (
        db_session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "roster.exported"))
        == 1
    )


def test_safe_cell():
    for value in ["=1", "+1", "-1", "@A1", "\tx", "\rx"]:
        assert protect(value) == "'" + value
    assert protect("Ann") == "Ann"


def test_people_who_have_not_accepted_show_as_invited(
    admin_client, db_session, small_cohort, pilot_admin
):
    capacity.enrol(make_user(given_name="Pending"), small_cohort, pilot_admin)
    db_session.commit()
    page = admin_client.get("/cohorts/lon-small/roster").get_data(as_text=True)
    row = page[page.index("Pending") :]
    row = row[: row.index("</tr>")]
    assert ">Invited</strong>" in row and ">Enrolled</strong>" not in row


def test_export_counts_each_persons_own_modules_in_the_same_queries_at_any_size(
    admin_client, db_session, london_pilot, pilot_admin, count_queries
):
    """The counts come from each enrolment's own rows: other cohorts' progress neither
    leaks into them nor makes the download run more statements."""
    cohort = make_cohort(london_pilot, slug="lon-export", capacity=500)
    other = make_cohort(london_pilot, slug="lon-other", capacity=500)
    release = make_release(make_module().latest, cohort)
    _fill(db_session, cohort, pilot_admin, 3, release)
    with count_queries() as few:
        small = admin_client.get("/cohorts/lon-export/roster.csv").get_data()
    _fill(db_session, other, pilot_admin, 20, make_release(make_module().latest, other), 100)
    _fill(db_session, cohort, pilot_admin, 7, release, start=3)
    with count_queries() as many:
        response = admin_client.get("/cohorts/lon-export/roster.csv")
        body = response.get_data()
    assert len(many) == len(few), (len(few), len(many))
    # People's role grants are never loaded: eagerly, they cost a statement per 500 people.
    assert not [s for s in many if s.lstrip().startswith("SELECT role_grant")]
    assert small
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 10
    for row in rows:
        number = int(row["given_name"].removeprefix("Given"))
        assert row["modules_started"] == "1"
        assert row["modules_completed"] == ("1" if number % 2 else "0")


def test_row_actions_share_one_form_and_send_their_person(
    admin_client, db_session, small_cohort, pilot_admin
):
    """Each action button names its person and its action; the page carries one form,
    one token and one return address, whatever the number of people."""
    first = capacity.enrol(make_user(given_name="First"), small_cohort, pilot_admin)
    capacity.enrol(make_user(given_name="Second"), small_cohort, pilot_admin)
    db_session.commit()
    page = admin_client.get("/cohorts/lon-small/roster?q=first").get_data(as_text=True)
    table = page[page.index("People in") :]
    assert table.count('name="csrf_token"') == 0  # the token comes before the table, once
    assert page.count('name="return_to"') == 1
    assert (
        'formaction="/cohorts/lon-small/enrolments/withdraw" name="enrolment_id" '
        f'value="{first.id}"' in page
    )
    withdrawn = admin_client.post(
        "/cohorts/lon-small/enrolments/withdraw",
        data={"enrolment_id": first.id, "return_to": "/cohorts/lon-small/roster?q=first"},
    )
    assert withdrawn.status_code == 302
    assert withdrawn.headers["Location"].endswith("/cohorts/lon-small/roster?q=first")
    page = admin_client.get("/cohorts/lon-small/roster?q=first").get_data(as_text=True)
    assert 'formaction="/cohorts/lon-small/enrolments/re-enrol"' in page


def test_a_roster_page_is_one_statement_with_progress_invitations_and_count(
    db_session, london_pilot, pilot_admin, count_queries
):
    """The page, each person's progress and invitation, and the count: read apart they
    were five statements."""
    import pytest
    from werkzeug.exceptions import NotFound

    from futuredoctor.enrolment.roster import InvitationStatus, roster_page

    cohort = make_cohort(london_pilot, slug="lon-roster-one", capacity=500)
    release = make_release(make_module().latest, cohort)
    _fill(db_session, cohort, pilot_admin, 4, release)
    assert cohort.slug == "lon-roster-one"  # loaded again after the commit, before counting
    with count_queries() as statements:
        page, rows = roster_page(cohort, "", None, 1)
    assert len(statements) == 1
    assert page.total == 4 and rows == list(page.items)
    assert [(r.full_name, r.started, r.completed, r.invitation) for r in rows] == [
        (f"Given{i:03d} Family{i:03d}", 1, i % 2, InvitationStatus.SENT) for i in range(4)
    ]
    found, matched = roster_page(cohort, "family002", None, 1)
    assert found.total == 1 and [r.full_name for r in matched] == ["Given002 Family002"]
    nobody, none = roster_page(cohort, "nobody at all", None, 1)
    assert (nobody.total, none) == (0, [])
    # LIKE wildcards are matched literally; a status narrows the page and its count.
    assert [roster_page(cohort, q, None, 1)[0].total for q in ("%", "_", "\\")] == [0, 0, 0]
    by_email, _ = roster_page(cohort, rows[1].email.upper(), None, 1)
    assert by_email.total == 1
    enrolled, listed = roster_page(cohort, "given00", EnrolmentStatus.ENROLLED, 1)
    withdrawn, _ = roster_page(cohort, "", EnrolmentStatus.WITHDRAWN, 1)
    assert (enrolled.total, len(listed), withdrawn.total) == (4, 4, 0)
    with pytest.raises(NotFound):
        roster_page(cohort, "", None, 2)


def test_the_roster_is_in_name_order_and_follows_a_rename(
    admin_client, db_session, london_pilot, pilot_admin, count_queries
):
    """The order comes from the lower-cased copies of the names the database keeps on each
    enrolment, and a page of the roster is chosen without reading any account."""
    from futuredoctor.enrolment.roster import roster_page

    cohort = make_cohort(london_pilot, slug="lon-names", capacity=10)
    named = (("Zoe", "adams"), ("Amy", "Brown"), ("Bob", "Carter"))
    people = [make_user(given_name=given, family_name=family) for given, family in named]
    for person in people:
        capacity.enrol(person, cohort, pilot_admin)
    db_session.commit()

    def order() -> list[str]:
        body = admin_client.get("/cohorts/lon-names/roster").get_data(as_text=True)
        return sorted((p.given_name for p in people), key=lambda given: body.index(f">{given} "))

    assert order() == ["Zoe", "Amy", "Bob"]
    people[0].family_name = "Zulu"  # Zoe adams becomes Zoe Zulu: last, whatever the case
    people[2].given_name = "aaron"
    people[2].family_name = "brown"  # Bob Carter becomes aaron brown: before Amy Brown
    db_session.commit()
    assert order() == ["aaron", "Amy", "Zoe"]
    with count_queries() as statements:
        roster_page(cohort, "", None, 1)
    page_sql = statements[-1]
    chosen = page_sql[page_sql.index("WHERE enrolment.id IN") : page_sql.index("LIMIT")]
    assert "user_account" not in chosen, chosen


def test_name_keys_equal_the_accounts_names_after_random_changes(
    db_session, london_pilot, pilot_admin
):
    """Enrolling, renaming and moving an enrolment to another person in random order: every
    enrolment's keys are its person's names lower-cased, by the database's own lower()."""
    import random

    from futuredoctor.models import Enrolment, User

    rng = random.Random(2026)  # noqa: S311  (a repeatable sequence, not a secret)
    cohorts = [make_cohort(london_pilot, slug=f"lon-keys-{n}", capacity=50) for n in range(2)]
    people = [make_user(given_name=f"Given{n}", family_name=f"Family{n}") for n in range(10)]
    # The longest name an account takes, of a letter that lower-cases to two characters.
    names = ["Ng", "o'Brien", "SMITH-JONES", "van der Berg", "Ólafsdóttir", "", "İ" * 100]
    enrolled: set[tuple[int, int]] = set()
    for _ in range(80):
        person, cohort = rng.choice(people), rng.choice(cohorts)
        action = rng.randrange(4)
        if action == 0 and (person.id, cohort.id) not in enrolled:
            capacity.enrol(person, cohort, pilot_admin)
            enrolled.add((person.id, cohort.id))
        elif action == 1:
            person.given_name = rng.choice(names)
        elif action == 2:
            person.family_name = rng.choice(names)
        else:
            other = rng.choice(people)
            moved = db_session.scalar(
                sa.select(Enrolment).where(Enrolment.user_id == person.id).limit(1)
            )
            if moved is not None and (other.id, moved.cohort_id) not in enrolled:
                enrolled.discard((person.id, moved.cohort_id))
                moved.user_id = other.id
                enrolled.add((other.id, moved.cohort_id))
        db_session.flush()
    db_session.commit()
    rows = db_session.execute(
        sa.select(
            Enrolment.family_key,
            Enrolment.given_key,
            sa.func.lower(User.family_name),
            sa.func.lower(User.given_name),
        ).join(User, User.id == Enrolment.user_id)
    ).all()
    assert len(rows) == len(enrolled) > 5
    assert [tuple(r[:2]) for r in rows] == [tuple(r[2:]) for r in rows]
