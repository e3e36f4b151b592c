"""Other pilots' changes and rating trends on a module page: only for people who triage
feedback, from the stored summaries, without the viewer's own pilot, and with counts up to
the suppression threshold hidden together with their means."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from futuredoctor.evaluation.suppression import THRESHOLD
from futuredoctor.extensions import db
from futuredoctor.livinglab import other_pilots
from futuredoctor.models import Module, ModuleVersion, Pilot, Role
from futuredoctor.summaries import store
from tests.community.champions import region
from tests.factories import current_cohorts, make_module, make_release, make_user
from tests.helpers import login
from tests.livinglab.lab import by_slug, give_feedback


def _second_version(module: Module) -> ModuleVersion:
    first = module.latest
    version = ModuleVersion(
        module=module,
        number=2,
        title=first.title,
        summary=first.summary,
        estimated_minutes=first.estimated_minutes,
        delivery_mode=first.delivery_mode,
        learning_outcomes=first.learning_outcomes,
        body_markdown=first.body_markdown + "\n\nShorter case.",
        changelog="Shortened the case for night shifts",
        content_hash="f" * 64,
    )
    db.session.add(version)
    db.session.flush()
    db.session.refresh(module)
    return version


def _scene() -> Module:
    cohorts = current_cohorts()
    london, southwest = cohorts["lon-current"], cohorts["sw-current"]
    module = make_module(title="Shared decisions")
    make_release(module.latest, london)
    make_release(module.latest, southwest)
    sw_v1 = [give_feedback(southwest, module, (4, 4, 4)) for _ in range(THRESHOLD + 1)]
    london_v1 = [give_feedback(london, module, (1, 1, 1)) for _ in range(3)]
    version = _second_version(module)
    for item in sw_v1 + london_v1[:2]:
        item.addressed_by_version_id = version.id
    for _ in range(3):
        give_feedback(southwest, module, (5, 5, 5))  # version 2: too few to show
    db.session.commit()
    return module


def test_a_lead_educator_sees_other_pilots_trends_suppressed(app: Any, client: FlaskClient) -> None:
    module = _scene()
    educator = make_user(roles=[(Role.LEAD_EDUCATOR, by_slug(Pilot, "lon-inclusion-health"))])
    db.session.commit()
    found = other_pilots.other_pilots(educator, module)
    assert found is not None
    newest, first = found.trends
    assert (first.version.number, first.responses.shown, first.overall) == (1, 8, 4.0)
    assert first.addressed.shown == 0 and first.change is None
    assert newest.responses.hidden and newest.responses.shown is None
    assert newest.overall is None  # the means behind a hidden count are hidden too
    assert newest.addressed.shown == THRESHOLD + 1  # London's own two are not counted

    login(client, educator)
    page = client.get(f"/modules/{module.slug}").get_data(as_text=True)
    assert "What other pilots changed and how they rated it" in page
    assert "Shortened the case for night shifts" in page and "Not shown (few)" in page
    assert "4.00" in page and "1.00" not in page


def test_everyone_else_sees_no_trends_and_figures_come_from_the_summary(
    app: Any, client: FlaskClient, count_queries: Any
) -> None:
    module = _scene()
    champion = make_user(roles=[(Role.CHAMPION, region("LON"))])
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    db.session.commit()
    assert other_pilots.other_pilots(champion, module) is None
    login(client, champion)
    page = client.get(f"/modules/{module.slug}").get_data(as_text=True)
    assert "What other pilots changed" not in page

    found = other_pilots.other_pilots(admin, module)  # every pilot is another pilot
    assert found is not None and found.trends[-1].responses.shown == THRESHOLD + 4
    assert found.trends[0].addressed.shown == THRESHOLD + 3
    app.config["SUMMARY_MAX_AGE_SECONDS"] = 600
    db.session.commit()
    admin, module = db.session.merge(admin), db.session.merge(module)
    admin.grants, module.versions  # noqa: B018  (loaded before counting)
    with count_queries() as statements:
        other_pilots.other_pilots(admin, module)
    assert len(statements) == 2  # the two stored summaries; national: no scope query
    # The stored count is the same as counting again.
    assert store.read("addressed", str(module.id), lambda: None).payload == [
        row for row in other_pilots.addressed_figures(str(module.id)) or []
    ]
