"""Start and complete actions, and private reflections: idempotent, refused when the module
is not released to the person, and never visible to anyone else."""

from __future__ import annotations

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.learning.progress import REFLECTION_MAX
from futuredoctor.models import Progress, Role
from tests.factories import make_user
from tests.helpers import login
from tests.learning.conftest import count


def _progress(user_id: int) -> list[Progress]:
    from futuredoctor.models import Enrolment

    stmt = sa.select(Progress).join(Enrolment).where(Enrolment.user_id == user_id)
    db.session.expire_all()
    return list(db.session.scalars(stmt))


def test_start_and_complete_are_idempotent(client, journey) -> None:
    login(client, journey.participant)
    page = client.get("/modules/mod-today").get_data(as_text=True)
    assert "Start this module" in page
    first = client.post("/modules/mod-today/start")
    assert first.status_code == 302 and first.location.endswith("/modules/mod-today")
    client.post("/modules/mod-today/start")  # a double click
    [progress] = _progress(journey.participant.id)
    started = progress.started_at
    assert started is not None and progress.completed_at is None
    page = client.get("/modules/mod-today").get_data(as_text=True)
    assert "Mark as completed" in page and "In progress" in page
    client.post("/modules/mod-today/complete")
    client.post("/modules/mod-today/complete")
    [progress] = _progress(journey.participant.id)
    assert progress.started_at == started
    completed = progress.completed_at
    assert completed is not None
    client.post("/modules/mod-today/start")  # starting again changes nothing
    [progress] = _progress(journey.participant.id)
    assert progress.completed_at == completed
    page = client.get("/modules/mod-today").get_data(as_text=True)
    assert "Completed" in page and "Mark as completed" not in page


def test_actions_on_a_module_not_released_to_them_are_refused(client, journey) -> None:
    login(client, journey.participant)
    for path in ("/modules/mod-future/start", "/modules/mod-future/complete"):
        response = client.post(path)
        assert response.status_code == 400
        assert "has not been released to you yet" in response.get_data(as_text=True)
    response = client.post("/modules/mod-future/reflection", data={"reflection": "Hello"})
    assert response.status_code == 400
    assert count(Progress) == 0
    page = client.get("/modules/mod-future").get_data(as_text=True)
    assert "has not been released to your cohort yet" in page
    assert "Start this module" not in page
    assert client.post("/modules/no-such-module/start").status_code == 404


def test_a_withdrawn_participant_can_no_longer_take_modules(client, journey) -> None:
    from futuredoctor.models import EnrolmentStatus
    from tests.learning.conftest import enrolment_of

    enrolment_of(journey.participant).status = EnrolmentStatus.WITHDRAWN
    db.session.commit()
    login(client, journey.participant)
    assert client.post("/modules/mod-old/start").status_code == 400
    assert count(Progress) == 0


def test_reflection_is_saved_and_private(client, journey) -> None:
    login(client, journey.participant)
    response = client.post(
        "/modules/mod-old/reflection", data={"reflection": "  I learned to ask first.\r\n  "}
    )
    assert response.status_code == 302
    [progress] = _progress(journey.participant.id)
    assert progress.reflection == "I learned to ask first."
    assert progress.started_at is None  # writing does not start the module for them
    page = client.get("/modules/mod-old/reflection").get_data(as_text=True)
    assert "I learned to ask first." in page
    assert "Edit your reflection" in client.get("/modules/mod-old").get_data(as_text=True)

    # Another participant at the same URLs sees and changes only their own record.
    login(client, journey.other)
    page = client.get("/modules/mod-old/reflection").get_data(as_text=True)
    assert "I learned to ask first." not in page
    assert "I learned to ask first." not in client.get("/modules/mod-old").get_data(as_text=True)
    client.post("/modules/mod-old/reflection", data={"reflection": "Mine"})
    assert _progress(journey.participant.id)[0].reflection == "I learned to ask first."
    assert _progress(journey.other.id)[0].reflection == "Mine"

    # Staff cannot reach participants' reflections: these pages are participants' own.
    login(client, journey.educator)
    assert client.get("/modules/mod-old/reflection").status_code == 403
    assert "I learned" not in client.get("/modules/mod-old").get_data(as_text=True)
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    db.session.commit()
    login(client, admin)
    assert "I learned" not in client.get("/modules/mod-old/reflection").get_data(as_text=True)


def test_an_empty_reflection_removes_it(client, journey) -> None:
    login(client, journey.participant)
    client.post("/modules/mod-old/reflection", data={"reflection": "Draft"})
    client.post("/modules/mod-old/reflection", data={"reflection": "   "})
    assert _progress(journey.participant.id)[0].reflection is None


def test_oversized_reflection_is_refused_and_nothing_changes(client, journey) -> None:
    login(client, journey.participant)
    client.post("/modules/mod-old/reflection", data={"reflection": "Kept"})
    response = client.post(
        "/modules/mod-old/reflection", data={"reflection": "x" * (REFLECTION_MAX + 1)}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "nhsuk-error-summary" in html
    assert "Reflection must be 10,000 characters or fewer" in html
    assert _progress(journey.participant.id)[0].reflection == "Kept"
    ok = client.post("/modules/mod-old/reflection", data={"reflection": "y" * REFLECTION_MAX})
    assert ok.status_code == 302


def test_my_reflections_lists_only_my_own(client, journey) -> None:
    login(client, journey.participant)
    assert "not written a reflection yet" in client.get("/my-learning/reflections").get_data(
        as_text=True
    )
    client.post("/modules/mod-old/reflection", data={"reflection": "Mine <b>only</b>"})
    login(client, journey.other)
    client.post("/modules/mod-old/reflection", data={"reflection": "Someone else's"})
    login(client, journey.participant)
    page = client.get("/my-learning/reflections").get_data(as_text=True)
    assert "Mine &lt;b&gt;only&lt;/b&gt;" in page and "Someone else" not in page
    assert "Module old" in page
