"""Mentoring: the whole journey, every refusal, privacy of the pair, and capacity that
holds under concurrent acceptances on both databases."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from flask import Flask

from futuredoctor.educators import mentor_offers, pairings
from futuredoctor.extensions import db
from futuredoctor.models import (
    Enrolment,
    EnrolmentStatus,
    MentoringFormat,
    MentoringMeeting,
    MentorOffer,
    Mentorship,
    PairingStatus,
    Role,
    User,
)
from futuredoctor.refusals import Refusal
from tests.factories import current_cohorts, days_from_today, make_user, shipped_pilot
from tests.helpers import login


def _participant(slug: str = "lon-current", **fields) -> User:
    user = make_user(roles=[(Role.PARTICIPANT, None)], **fields)
    db.session.add(
        Enrolment(user=user, cohort=current_cohorts()[slug], status=EnrolmentStatus.ENROLLED)
    )
    db.session.flush()
    return user


def _champion(code: str = "LON", **fields) -> User:
    return make_user(roles=[(Role.CHAMPION, shipped_pilot(code).region)], **fields)


def test_request_accept_agree_log_end_over_http(app: Flask, client) -> None:
    mentor = _champion(given_name="Mo", family_name="Mentor")
    mentee = _participant(given_name="Ed", family_name="Mentee")
    db.session.commit()
    login(client, mentor)
    offer = client.post(
        "/educators/mentoring/offer",
        data={"capacity": "2", "focus": ["ETP7", "careers"], "format": "online", "is_open": "yes"},
    )
    assert offer.status_code == 302, offer.get_data(as_text=True)[:2000]
    offer_id = db.session.scalar(sa.select(MentorOffer.id).where(MentorOffer.user_id == mentor.id))
    login(client, mentee)
    found = client.get("/educators/mentoring/find?focus=ETP7").get_data(as_text=True)
    assert "Mo Mentor" in found and "Can help with ETP7: Teaching" in found
    asked = client.post(f"/educators/mentoring/ask/{offer_id}", data={"message": "Teaching help"})
    assert asked.status_code == 302
    pairing_id = db.session.scalar(sa.select(Mentorship.id))
    again = client.post(f"/educators/mentoring/ask/{offer_id}", data={"message": "Again"})
    assert again.status_code == 400 and "wait for their answer" in again.get_data(as_text=True)
    # The mentee cannot answer their own request.
    refused = client.post(f"/educators/mentoring/{pairing_id}/respond", data={"decision": "accept"})
    assert refused.status_code == 400 and "Only the mentor" in refused.get_data(as_text=True)
    login(client, mentor)
    page = f"/educators/mentoring/{pairing_id}"
    accepted = client.post(f"{page}/respond", data={"decision": "accept", "note": "Glad to"})
    assert accepted.status_code == 302
    agreed = client.post(
        f"{page}/agreement", data={"goals": "Run a teaching session", "frequency": "Monthly"}
    )
    assert agreed.status_code == 302
    future = days_from_today(1).strftime("%d/%m/%Y")
    late = client.post(f"{page}/meetings", data={"met_on": future, "notes": "Planned"})
    assert late.status_code == 400 and "today or in the past" in late.get_data(as_text=True)
    today = days_from_today(0).strftime("%d/%m/%Y")
    logged = client.post(f"{page}/meetings", data={"met_on": today, "notes": "Private notes"})
    assert logged.status_code == 302
    login(client, mentee)
    assert "Private notes" in client.get(page).get_data(as_text=True)
    ended = client.post(f"{page}/end", data={"feedback": "Very helpful"})
    assert ended.status_code == 302
    db.session.expire_all()
    pairing = db.session.get(Mentorship, pairing_id)
    assert pairing.status is PairingStatus.ENDED and pairing.mentee_feedback == "Very helpful"
    assert pairing.offer.places_taken == 0
    login(client, mentor)
    left = client.post(f"{page}/end", data={"feedback": "Keen learner"})
    assert left.status_code == 302
    db.session.expire_all()
    assert db.session.get(Mentorship, pairing_id).mentor_feedback == "Keen learner"


def test_refusals_change_nothing(app: Flask) -> None:
    mentor = _champion()
    mentee = _participant()
    offer = mentor_offers.save_offer(mentor, 1, ["GPC5"], "either", "", True)
    with pytest.raises(Refusal, match="ask yourself"):
        pairings.request_mentor(mentor, offer, "Me")
    with pytest.raises(Refusal, match="from 1 to 20"):
        mentor_offers.save_offer(mentor, 25, ["GPC5"], "either", "", True)
    with pytest.raises(Refusal, match="not one"):
        mentor_offers.save_offer(mentor, 1, ["NOPE"], "either", "", True)
    first = pairings.request_mentor(mentee, offer, "Please")
    pairings.respond(mentor, first, "accept", "")
    with pytest.raises(Refusal, match="already your mentor"):
        pairings.request_mentor(mentee, offer, "Second pairing")
    with pytest.raises(Refusal, match="no places left"):
        pairings.request_mentor(_participant(), offer, "Full")
    with pytest.raises(Refusal, match="already been answered"):
        pairings.respond(mentor, first, "accept", "")
    assert offer.places_taken == 1


def test_capacity_cannot_drop_below_people_mentored(app: Flask) -> None:
    mentor = _champion()
    offer = mentor_offers.save_offer(mentor, 2, ["GPC5"], "either", "", True)
    for _ in range(2):
        pairings.respond(mentor, pairings.request_mentor(_participant(), offer, "Hi"), "accept", "")
    with pytest.raises(Refusal, match="mentoring 2 people"):
        mentor_offers.save_offer(mentor, 1, ["GPC5"], "either", "", True)
    assert offer.capacity == 2


def test_suggestions_rank_by_fit_and_stay_in_region_unless_asked(app: Flask) -> None:
    mentee = _participant(professional_group="nurse")
    near = _champion("LON", family_name="Near", professional_group="nurse")
    focused = _champion("LON", family_name="Focused")
    far = _champion("SW", family_name="Far")
    mentor_offers.save_offer(near, 1, ["careers"], "either", "", True)
    mentor_offers.save_offer(focused, 1, ["ETP1"], "either", "", True)
    mentor_offers.save_offer(far, 1, ["ETP1"], "online", "", True)
    local = mentor_offers.suggested_mentors(mentee, ["ETP1"], cross_region=False)
    assert [s.offer.mentor.family_name for s in local] == ["Focused", "Near"]
    everywhere = mentor_offers.suggested_mentors(mentee, ["ETP1"], cross_region=True)
    assert [s.offer.mentor.family_name for s in everywhere] == ["Focused", "Far", "Near"]


@pytest.mark.parametrize("role", [Role.LEAD_EDUCATOR, Role.NATIONAL_ADMIN, Role.PARTICIPANT])
def test_the_pair_page_and_log_are_private_to_the_pair(client, app: Flask, role: Role) -> None:
    mentor = _champion()
    mentee = _participant()
    offer = mentor_offers.save_offer(mentor, 1, ["GPC5"], "either", "", True)
    pairing = pairings.request_mentor(mentee, offer, "Please")
    pairings.respond(mentor, pairing, "accept", "")
    pairings.log_meeting(mentor, pairing, days_from_today(0), "Secret notes")
    other = make_user(roles=[(role, shipped_pilot("LON") if role is Role.LEAD_EDUCATOR else None)])
    db.session.commit()
    login(client, other)
    for path in ("", "/meetings", "/end", "/agreement"):
        method = client.get if not path else client.post
        response = method(f"/educators/mentoring/{pairing.id}{path}")
        assert response.status_code == 404
        assert "Secret notes" not in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MentoringMeeting)) == 1


def test_lead_educator_home_shows_numbers_for_their_pilot_only(client, app: Flask) -> None:
    lead = make_user(roles=[(Role.LEAD_EDUCATOR, shipped_pilot("LON"))])
    mentor = _champion()
    offer = mentor_offers.save_offer(mentor, 3, ["GPC5"], "either", "", True)
    pairings.respond(mentor, pairings.request_mentor(_participant(), offer, "A"), "accept", "")
    pairings.request_mentor(_participant("sw-current"), offer, "Elsewhere")
    db.session.commit()
    login(client, lead)
    home = client.get("/").get_data(as_text=True)
    assert "Mentoring in your pilot: 1 active pairing, 0 waiting for an answer" in home


def test_twenty_concurrent_acceptances_fill_three_places_exactly(app: Flask) -> None:
    """Each thread has its own app context, session and connection, as web workers do."""
    mentor = _champion()
    offer = mentor_offers.save_offer(mentor, 3, ["GPC5"], "either", "", True)
    requests = [pairings.request_mentor(_participant(), offer, "Please") for _ in range(20)]
    db.session.commit()
    mentor_id, pairing_ids = mentor.id, [p.id for p in requests]
    barrier = threading.Barrier(len(pairing_ids))
    outcomes: list[str] = []

    def accept(pairing_id: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                pairings.respond(
                    db.session.get(User, mentor_id),
                    db.session.get(Mentorship, pairing_id),
                    "accept",
                    "",
                )
                db.session.commit()
                outcomes.append("accepted")
            except Refusal:
                db.session.rollback()
                outcomes.append("refused")
            except BaseException as error:  # reported by the assertion below
                db.session.rollback()
                outcomes.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=accept, args=(pid,)) for pid in pairing_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted"] * 3 + ["refused"] * 17
    db.session.expire_all()
    active = db.session.scalar(
        sa.select(sa.func.count()).where(Mentorship.status == PairingStatus.ACTIVE)
    )
    assert active == 3
    assert db.session.get(MentorOffer, offer.id).places_taken == 3


def test_the_mentoring_pages_read_the_other_people_by_name_only(
    client, app: Flask, count_queries
) -> None:
    """The pairings, one's own offer and the open offers come with the other people's
    names, not their role grants (a statement more for each list of people shown)."""
    mentor = _champion(given_name="Mo", family_name="Mentor")
    mentee = _participant(given_name="Ed", family_name="Mentee")
    other = _champion(given_name="Al", family_name="Other")
    for person in (mentor, other):
        db.session.add(
            MentorOffer(
                user_id=person.id,
                capacity=2,
                focus=["ETP7"],
                format=MentoringFormat.ONLINE,
                is_open=True,
            )
        )
    db.session.flush()
    offer = db.session.scalar(sa.select(MentorOffer).where(MentorOffer.user_id == mentor.id))
    pairings.request_mentor(mentee, offer, "Teaching help")
    db.session.commit()
    login(client, mentee)
    for url, shown in [
        ("/educators/mentoring", "Mo Mentor"),
        ("/educators/mentoring/find?focus=ETP7", "Al Other"),
    ]:
        client.get(url)
        db.session.remove()
        with count_queries() as statements:
            page = client.get(url).get_data(as_text=True)
        assert shown in page
        grants = [s for s in statements if "role_grant.user_id AS role_grant_user_id" in s]
        assert not grants, url
