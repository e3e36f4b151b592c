"""National admin: users, role grants, account status and the audit log."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from futuredoctor import clock
from futuredoctor.models import AuditEvent, Notification, Role, RoleGrant, User, utcnow
from tests.factories import make_region_tree, make_user
from tests.helpers import login

EN_DASH = "\u2013"


def _events(db_session, action: str) -> list[AuditEvent]:
    return list(db_session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def _count(db_session, model) -> int:
    return db_session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def admin(db_session):
    user = make_user(
        email="admin@example.nhs.uk",
        roles=[(Role.NATIONAL_ADMIN, None)],
        given_name="Ada",
        family_name="Admin",
    )
    db_session.commit()
    return user


@pytest.fixture
def admin_client(client, admin):
    login(client, admin)
    return client


@pytest.fixture
def region(db_session):
    region = make_region_tree()
    db_session.commit()
    return region


# --- access --------------------------------------------------------------------------------


def test_non_admins_get_403_on_every_admin_page(app, client, db_session, region):
    pilot = region.pilots[0]
    staff = make_user(
        roles=[
            (Role.REGIONAL_LEAD, region),
            (Role.LEAD_EDUCATOR, pilot),
            (Role.PILOT_ADMIN, pilot),
            (Role.EVALUATOR, region),
            (Role.CHAMPION, region),
            (Role.PARTICIPANT, None),
        ]
    )
    other = make_user(roles=[(Role.PARTICIPANT, None)])
    db_session.commit()
    grant_id = other.grants[0].id
    login(client, staff)
    base = f"/admin/users/{other.id}"
    gets = ["/admin/users", "/admin/users/new", base, "/admin/audit", "/admin/closure-requests"]
    gets.append("/admin/outbox")
    posts = [
        "/admin/outbox/1/retry",
        "/admin/outbox/1/discard",
        "/admin/users/new",
        f"{base}/closure-request/keep-open",
        f"{base}/grants",
        f"{base}/grants/{grant_id}/remove",
        f"{base}/unlock",
        f"{base}/status",
    ]
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url, data={"action": "close"}).status_code == 403, url
    assert db_session.get(User, other.id).is_enabled
    assert len(db_session.get(User, other.id).grants) == 1

    # Every admin endpoint is covered above, and each declares a permission.
    admin_endpoints = {
        r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")
    }
    assert admin_endpoints == {
        "admin.users",
        "admin.user_new",
        "admin.user_detail",
        "admin.grant_add",
        "admin.grant_remove",
        "admin.user_unlock",
        "admin.user_invite",
        "admin.user_status",
        "admin.closure_requests",
        "admin.closure_keep_open",
        "admin.audit",
        "admin.outbox",
        "admin.outbox_retry",
        "admin.outbox_discard",
    }


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


# --- listing -------------------------------------------------------------------------------


def test_admin_lists_users_with_roles_scope_and_status(admin_client, db_session, region):
    make_user(
        email="lead@example.nhs.uk",
        given_name="Rita",
        family_name="Regional",
        roles=[(Role.REGIONAL_LEAD, region)],
    )
    make_user(email="locked@example.nhs.uk", locked_until=utcnow() + timedelta(minutes=10))
    make_user(email="closed@example.nhs.uk", is_enabled=False)
    db_session.commit()

    response = admin_client.get("/admin/users")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Users</h1>" in html
    assert "Rita Regional" in html
    assert f"Regional lead {EN_DASH} {region.name}" in html
    assert "National admin" in html
    for status in ("Active", "Sign-in paused", "Closed"):
        assert status in html


def test_search_matches_email_or_name_case_insensitively(admin_client, db_session, region):
    make_user(email="zara.khan@example.nhs.uk", given_name="Zara", family_name="Khan")
    make_user(
        email="someone@example.nhs.uk",
        given_name="Bob",
        family_name="Smith",
        roles=[(Role.REGIONAL_LEAD, region)],
    )
    db_session.commit()

    html = admin_client.get("/admin/users?q=ZARA.K").get_data(as_text=True)
    assert "zara.khan@example.nhs.uk" in html
    assert "someone@example.nhs.uk" not in html

    html = admin_client.get("/admin/users?q=bob smi").get_data(as_text=True)
    assert "someone@example.nhs.uk" in html
    assert "zara.khan@example.nhs.uk" not in html

    html = admin_client.get("/admin/users?role=regional_lead").get_data(as_text=True)
    assert "someone@example.nhs.uk" in html
    assert "zara.khan@example.nhs.uk" not in html
    assert "admin@example.nhs.uk" not in html

    html = admin_client.get("/admin/users?q=%25").get_data(as_text=True)  # '%' is not a wildcard
    assert "No users found" in html


def test_bad_filter_and_page_numbers_are_refused(admin_client):
    response = admin_client.get("/admin/users?role=emperor")
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)
    for page in ("0", "-1", "two", "99"):
        assert admin_client.get(f"/admin/users?page={page}").status_code == 404, page
    assert admin_client.get("/admin/users?page=1").status_code == 200


def test_users_list_shows_each_role_of_a_person_in_order_and_links_them(
    admin_client, db_session, region
):
    """Roles scoped to a pilot, to a region and to nobody, each worded as on the person's
    page, in the order they were granted; the name links to the person."""
    pilot = region.pilots[0]
    person = make_user(
        email="many@example.nhs.uk",
        given_name="Mo",
        family_name="Many",
        roles=[(Role.LEAD_EDUCATOR, pilot), (Role.REGIONAL_LEAD, region), (Role.EVALUATOR, None)],
    )
    db_session.commit()
    html = admin_client.get("/admin/users?q=many").get_data(as_text=True)
    row = html[html.index(">Mo Many</a>") : html.index("</tr>", html.index(">Mo Many</a>"))]
    labels = re.findall(r"<li>([^<]+)</li>", row)
    assert labels == [
        f"Lead educator {EN_DASH} {pilot.name}",
        f"Regional lead {EN_DASH} {region.name}",
        "Evaluator",
    ]
    assert f'href="/admin/users/{person.id}">Mo Many</a>' in html


def test_users_list_pages_fifty_at_a_time(admin_client, db_session):
    for n in range(55):
        make_user(email=f"bulk{n:02}@example.nhs.uk", family_name=f"Bulk {n:02}")
    db_session.commit()
    first = admin_client.get("/admin/users").get_data(as_text=True)
    assert "Showing 1 to 50 of 56" in first
    assert "nhsuk-pagination" in first
    assert 'href="/admin/users?page=2"' in first
    second = admin_client.get("/admin/users?page=2").get_data(as_text=True)
    assert "Showing 51 to 56 of 56" in second


def test_users_list_query_count_does_not_grow_with_users(admin_client, db_session, count_queries):
    def queries_for_list(total: int) -> int:
        existing = _count(db_session, User)
        for _ in range(total - existing):
            region = make_region_tree()
            make_user(roles=[(Role.REGIONAL_LEAD, region), (Role.LEAD_EDUCATOR, region.pilots[0])])
        db_session.commit()
        with count_queries() as statements:
            response = admin_client.get("/admin/users")
        assert response.status_code == 200
        return len(statements)

    few = queries_for_list(5)
    many = queries_for_list(25)
    assert few == many, (few, many)


# --- creating users ------------------------------------------------------------------------


def test_admin_creates_a_user(admin_client, db_session, admin):
    form = admin_client.get("/admin/users/new")
    assert form.status_code == 200
    assert "<h1>Add a user</h1>" in form.get_data(as_text=True)

    response = admin_client.post(
        "/admin/users/new",
        data={
            "email": "  New.Person@Example.NHS.uk ",
            "given_name": "New",
            "family_name": "Person",
            "password": "typed-by-the-admin-and-ignored",
        },
    )
    assert response.status_code == 302
    user = db_session.scalar(sa.select(User).where(User.email == "new.person@example.nhs.uk"))
    assert user is not None
    assert user.password_hash is None  # nobody types a password for somebody else
    [invitation] = db_session.scalars(
        sa.select(Notification).where(
            Notification.recipient_id == user.id, Notification.kind == "staff_invitation"
        )
    )
    assert "/welcome/" in invitation.payload["link"]
    assert _events(db_session, "account.invited")
    assert response.headers["Location"].endswith(f"/admin/users/{user.id}")
    [event] = _events(db_session, "user.created")
    assert event.actor_id == admin.id
    assert event.target_id == str(user.id)
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Account created for New Person" in page
    assert "Invited" in page and "Send the invitation again" in page
    again = admin_client.post(f"/admin/users/{user.id}/invitation")
    assert again.status_code == 302
    assert len(_events(db_session, "account.invited")) == 2


def test_duplicate_email_is_refused_and_nothing_is_written(admin_client, db_session):
    make_user(email="taken@example.nhs.uk")
    db_session.commit()
    users_before = _count(db_session, User)
    response = admin_client.post(
        "/admin/users/new",
        data={"email": "TAKEN@example.nhs.uk", "given_name": "A", "family_name": "B"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "An account with this email address already exists" in html
    assert 'href="#email"' in html
    assert _count(db_session, User) == users_before
    assert _events(db_session, "user.created") == []


def test_new_user_form_validates_fields(admin_client, db_session):
    users_before = _count(db_session, User)
    response = admin_client.post(
        "/admin/users/new",
        data={"email": "not-an-email", "given_name": "", "family_name": "B"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter an email address in the correct format" in html
    assert "Enter a given name" in html
    assert _count(db_session, User) == users_before


# --- grants --------------------------------------------------------------------------------


def test_user_detail_shows_grants_and_forms(admin_client, db_session, region):
    user = make_user(given_name="Rita", family_name="Regional", roles=[(Role.CHAMPION, region)])
    db_session.commit()
    response = admin_client.get(f"/admin/users/{user.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Rita Regional" in html
    assert f"/admin/users/{user.id}/grants/{user.grants[0].id}/remove" in html
    assert "National (no scope)" in html
    assert f'value="region:{region.id}"' in html
    assert f'value="pilot:{region.pilots[0].id}"' in html
    assert "Close account" in html
    assert admin_client.get("/admin/users/999999").status_code == 404


def test_admin_adds_a_grant(admin_client, db_session, admin, region):
    user = make_user()
    db_session.commit()
    response = admin_client.post(
        f"/admin/users/{user.id}/grants",
        data={"role": "regional_lead", "scope": f"region:{region.id}"},
    )
    assert response.status_code == 302
    grants = db_session.scalars(sa.select(RoleGrant).where(RoleGrant.user_id == user.id)).all()
    assert [(g.role, g.region_id, g.pilot_id, g.granted_by_id) for g in grants] == [
        (Role.REGIONAL_LEAD, region.id, None, admin.id)
    ]
    [event] = _events(db_session, "grant.added")
    assert event.actor_id == admin.id
    assert event.target_type == "User"
    assert event.target_id == str(user.id)
    assert event.details["role"] == "regional_lead"
    assert event.details["scope"] == f"region:{region.id}"
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"is now Regional lead {EN_DASH} {region.name}" in page


@pytest.mark.parametrize(
    ("role", "scope", "message"),
    [
        ("regional_lead", "", "Regional lead must be scoped to a region."),
        ("lead_educator", "region", "Lead educator must be scoped to a pilot."),
        ("participant", "pilot", "Participant is not scoped to a region or pilot"),
        ("evaluator", "", "Evaluator must be scoped to either a region or a pilot."),
        ("", "", "Select a role"),
        ("regional_lead", "region:999999", "Select a scope from the list"),
    ],
)
def test_bad_role_and_scope_is_refused_with_message(
    admin_client, db_session, region, role, scope, message
):
    user = make_user()
    db_session.commit()
    grants_before = _count(db_session, RoleGrant)
    values = {"region": f"region:{region.id}", "pilot": f"pilot:{region.pilots[0].id}"}
    response = admin_client.post(
        f"/admin/users/{user.id}/grants", data={"role": role, "scope": values.get(scope, scope)}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html
    assert message in html
    assert "nhsuk-error-message" in html
    assert _count(db_session, RoleGrant) == grants_before
    assert _events(db_session, "grant.added") == []


def test_duplicate_grant_is_refused(admin_client, db_session, region):
    user = make_user(roles=[(Role.REGIONAL_LEAD, region)])
    db_session.commit()
    response = admin_client.post(
        f"/admin/users/{user.id}/grants",
        data={"role": "regional_lead", "scope": f"region:{region.id}"},
    )
    assert response.status_code == 400
    assert "already holds this role with this scope" in response.get_data(as_text=True)
    assert len(db_session.get(User, user.id).grants) == 1
    assert _events(db_session, "grant.added") == []


def test_admin_removes_a_grant(admin_client, db_session, admin, region):
    user = make_user(roles=[(Role.CHAMPION, region), (Role.PARTICIPANT, None)])
    db_session.commit()
    champion = next(g for g in user.grants if g.role is Role.CHAMPION)
    grant_id = champion.id
    response = admin_client.post(f"/admin/users/{user.id}/grants/{grant_id}/remove")
    assert response.status_code == 302
    db_session.expire_all()
    assert [g.role for g in db_session.get(User, user.id).grants] == [Role.PARTICIPANT]
    [event] = _events(db_session, "grant.removed")
    assert event.actor_id == admin.id
    assert event.target_id == str(user.id)
    assert event.details["role"] == "champion"
    assert event.details["grant_id"] == grant_id


def test_removing_another_users_grant_through_the_wrong_url_is_404(
    admin_client, db_session, region
):
    owner = make_user(roles=[(Role.CHAMPION, region)])
    other = make_user()
    db_session.commit()
    grant_id = owner.grants[0].id
    response = admin_client.post(f"/admin/users/{other.id}/grants/{grant_id}/remove")
    assert response.status_code == 404
    assert db_session.get(RoleGrant, grant_id) is not None


def test_admin_cannot_remove_their_own_national_admin_grant(admin_client, db_session, admin):
    grant_id = admin.grants[0].id
    response = admin_client.post(f"/admin/users/{admin.id}/grants/{grant_id}/remove")
    assert response.status_code == 400
    assert "You cannot remove your own national admin role" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(RoleGrant, grant_id) is not None
    assert _events(db_session, "grant.removed") == []


# --- account status ------------------------------------------------------------------------


def test_admin_unlocks_a_locked_account(admin_client, db_session, admin):
    user = make_user(locked_until=utcnow() + timedelta(minutes=15), failed_login_count=3)
    db_session.commit()
    page = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Let them sign in now" in page
    response = admin_client.post(f"/admin/users/{user.id}/unlock")
    assert response.status_code == 302
    db_session.expire_all()
    user = db_session.get(User, user.id)
    assert user.locked_until is None
    assert user.failed_login_count == 0
    [event] = _events(db_session, "account.unlocked")
    assert event.actor_id == admin.id
    assert event.target_id == str(user.id)


def test_closing_an_account_ends_their_session(app, admin_client, db_session, admin):
    user = make_user(roles=[(Role.PARTICIPANT, None)])
    db_session.commit()
    their_client = app.test_client()
    login(their_client, user)
    assert their_client.get("/sign-out").status_code == 200  # signed in

    response = admin_client.post(f"/admin/users/{user.id}/status", data={"action": "close"})
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(User, user.id).is_enabled is False
    [event] = _events(db_session, "account.closed")
    assert event.actor_id == admin.id

    signed_out = their_client.get("/sign-out")
    assert signed_out.status_code == 302
    assert "/sign-in" in signed_out.headers["Location"]

    response = admin_client.post(f"/admin/users/{user.id}/status", data={"action": "reopen"})
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(User, user.id).is_enabled is True
    assert len(_events(db_session, "account.reopened")) == 1


def test_admin_cannot_close_their_own_account(admin_client, db_session, admin):
    response = admin_client.post(f"/admin/users/{admin.id}/status", data={"action": "close"})
    assert response.status_code == 400
    assert "You cannot close your own account" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(User, admin.id).is_enabled
    assert _events(db_session, "account.closed") == []


def test_status_needs_a_known_action(admin_client, db_session):
    user = make_user()
    db_session.commit()
    assert admin_client.post(f"/admin/users/{user.id}/status", data={}).status_code == 400
    assert (
        admin_client.post("/admin/users/999999/status", data={"action": "close"}).status_code == 404
    )


# --- audit log -----------------------------------------------------------------------------


def test_audit_page_lists_and_filters_events(admin_client, db_session, admin, region):
    user = make_user(email="target@example.nhs.uk", given_name="Tara", family_name="Get")
    db_session.commit()
    admin_client.post(
        f"/admin/users/{user.id}/grants", data={"role": "champion", "scope": f"region:{region.id}"}
    )
    admin_client.post(f"/admin/users/{user.id}/status", data={"action": "close"})

    def table(page: str) -> str:
        return page.split('id="audit-caption"', 1)[1] if 'id="audit-caption"' in page else ""

    response = admin_client.get("/admin/audit")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Audit log</h1>" in html
    rows = table(html)
    for label in ("Signed in", "Role granted", "Account closed"):
        assert label in rows  # in words, not codes
    assert "<code>" not in rows
    assert rows.index("Account closed") < rows.index("Role granted")  # newest first
    assert "Tara Get (target@example.nhs.uk)" in rows
    assert '<option value="grant.added">Role granted</option>' in html

    filtered = table(admin_client.get("/admin/audit?action=grant.added").get_data(as_text=True))
    assert "Role granted" in filtered and "Account closed" not in filtered

    by_actor = table(admin_client.get("/admin/audit?actor=ADMIN@example").get_data(as_text=True))
    assert "Role granted" in by_actor
    nobody = admin_client.get("/admin/audit?actor=nobody@example.nhs.uk").get_data(as_text=True)
    assert "No events found" in nobody
    wildcard = admin_client.get("/admin/audit?actor=%25").get_data(as_text=True)
    assert "No events found" in wildcard  # a percent sign is matched as itself

    today = clock.today_uk()
    dated = admin_client.get(f"/admin/audit?date_from={today:%d/%m/%Y}&date_to={today:%Y-%m-%d}")
    assert "Role granted" in table(dated.get_data(as_text=True))
    tomorrow = today + timedelta(days=1)
    later = admin_client.get(f"/admin/audit?date_from={tomorrow:%Y-%m-%d}").get_data(as_text=True)
    assert "No events found" in later
    yesterday = today - timedelta(days=1)
    backwards = admin_client.get(f"/admin/audit?date_from={today}&date_to={yesterday}")
    assert backwards.status_code == 400
    assert "must be the same as or after" in backwards.get_data(as_text=True)
    assert admin_client.get("/admin/audit?date_from=31/02/2026").status_code == 400

    assert admin_client.get("/admin/audit?action=made.up").status_code == 400
    assert admin_client.get("/admin/audit?page=abc").status_code == 404


def test_audit_page_query_count_does_not_grow_with_events(admin_client, db_session, count_queries):
    def queries_for_log(actors: int) -> int:
        for _ in range(actors):
            user = make_user()
            db_session.add(
                AuditEvent(
                    action="test.event",
                    actor_id=user.id,
                    target_type="User",
                    target_id=str(user.id),
                    details={"n": 1},
                )
            )
        db_session.commit()
        with count_queries() as statements:
            assert admin_client.get("/admin/audit").status_code == 200
        return len(statements)

    assert queries_for_log(3) == queries_for_log(20)


def test_users_list_reads_only_what_it_shows_of_each_account(
    admin_client, db_session, count_queries
):
    make_user(email="shown.person@example.nhs.uk")
    db_session.commit()
    db_session.expire_all()
    with count_queries() as statements:
        html = admin_client.get("/admin/users?q=shown.person").get_data(as_text=True)
    assert "shown.person@example.nhs.uk" in html
    [listed] = [s for s in statements if "LIMIT" in s and "FROM user_account" in s]
    columns = listed.split("FROM")[0]  # what is read (the count's sub-select reads none)
    assert "user_account.email" in columns
    assert "career_stage" not in columns and "registration_number" not in columns


def test_audit_page_reads_only_the_actors_name_and_email(admin_client, db_session, count_queries):
    user = make_user(given_name="Logged", family_name="Actor")
    db_session.add(AuditEvent(action="test.event", actor_id=user.id, target_type="User"))
    db_session.commit()
    db_session.expire_all()
    with count_queries() as statements:
        html = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "Logged Actor" in html and user.email in html
    [events] = [s for s in statements if "FROM audit_event" in s and "LIMIT" in s]
    assert "password_hash" not in events and "locked_until" not in events


def test_users_list_stops_counting_past_a_bound_and_still_pages_on(
    admin_client, db_session, monkeypatch
):
    """Past the bound the pager says "more than" and offers the next page; the page past
    the bound counts just beyond itself."""
    from futuredoctor.admin import services as admin_services

    monkeypatch.setattr(admin_services, "USERS_COUNTED", 10)
    for n in range(52):
        make_user(email=f"zz.count{n:02d}@example.nhs.uk", family_name=f"Zzcount {n:02d}")
    db_session.commit()
    first = admin_client.get("/admin/users?q=zz.count")
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "Showing 1 to 50 of more than 50" in html and "(page 1)" in html
    assert "page=2" in html and "zz.count" in html
    last = admin_client.get("/admin/users?q=zz.count&page=2").get_data(as_text=True)
    assert "Showing 51 to 52 of 52" in last and "more than" not in last
    assert admin_client.get("/admin/users?q=zz.count&page=3").status_code == 404


def test_audit_actions_are_each_distinct_action_in_order(db_session):
    from futuredoctor.admin.services import audit_actions

    before = audit_actions()
    for action in ("b.second", "a.first", "b.second", "c.third", "a.first"):
        db_session.add(AuditEvent(action=action, target_type="User", target_id="1", details={}))
    db_session.flush()
    assert audit_actions() == sorted({*before, "a.first", "b.second", "c.third"})
