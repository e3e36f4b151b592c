"""The content choices kept in memory: read once, kept while the content stamp's token is
unchanged, read afresh after any change to regions, domains, modules or versions, and
never left stale by a change that was rolled back."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from futuredoctor.content.choices import content_choices, remember_stamp
from futuredoctor.extensions import db
from futuredoctor.models import ContentStamp, Region
from tests.community.champions import make_champion
from tests.factories import make_module, make_region_tree, make_user
from tests.helpers import login


def _token() -> str | None:
    return db.session.scalar(sa.select(ContentStamp.token))


def test_the_choices_are_read_once_then_only_the_stamp(app: Any, count_queries: Any) -> None:
    first = content_choices()
    assert [code for code, _ in first.domains][:2] == ["GPC1", "GPC2"]
    assert first.regions and first.modules
    with count_queries() as statements:
        again = content_choices()
    assert again is first
    assert len(statements) == 1 and "content_stamp" in statements[0]


def test_a_new_module_or_region_is_offered_at_once(app: Any) -> None:
    before = content_choices()
    module = make_module(title="Aaa brand new module")
    db.session.commit()
    after = content_choices()
    assert (module.slug, "Aaa brand new module") in after.modules
    assert after.module_titles[module.id] == "Aaa brand new module"
    assert (module.slug, "Aaa brand new module") not in before.modules
    region = make_region_tree("ZZ")
    db.session.commit()
    assert "ZZ" in {r.code for r in content_choices().regions}
    assert "Test priority" in content_choices().priorities
    assert region.id in {r.id for r in content_choices().regions}


def test_a_changed_priority_changes_the_token(app: Any) -> None:
    token = _token()
    region = db.session.scalars(sa.select(Region).order_by(Region.code)).first()
    assert region is not None
    region.priorities = [*region.priorities, "A priority added by a sync"]
    db.session.commit()
    assert _token() != token
    assert "A priority added by a sync" in content_choices().priorities


def test_a_rolled_back_change_leaves_no_stale_choices(app: Any) -> None:
    content_choices()
    make_module(title="Never committed")
    assert "Never committed" in dict(content_choices().modules).values()
    db.session.rollback()
    assert "Never committed" not in dict(content_choices().modules).values()
    make_module(title="Committed after")
    db.session.commit()
    titles = dict(content_choices().modules).values()
    assert "Committed after" in titles and "Never committed" not in titles


def test_other_changes_keep_the_token(app: Any) -> None:
    token = _token()
    make_user()
    db.session.commit()
    assert _token() == token


def test_a_signed_in_page_reads_the_stamp_with_the_account(
    app: Any, client: Any, count_queries: Any
) -> None:
    """The account check brings the token, so a page offering choices asks no more; a
    change committed by someone else is still offered at the very next page."""
    user = make_user()
    db.session.commit()
    login(client, user)
    client.get("/network")  # the choices are in memory now
    with count_queries() as statements:
        assert client.get("/network").status_code == 200
    alone = [s for s in statements if s.lstrip().startswith("SELECT content_stamp.token")]
    assert alone == [] and any("content_stamp" in s for s in statements)
    module = make_module(title="Aaa offered at once")
    db.session.commit()
    assert f'value="{module.slug}"' in client.get("/network").get_data(as_text=True)


def test_a_change_made_in_the_same_request_is_not_hidden_by_the_token_read_first(
    app: Any,
) -> None:
    with app.test_request_context():
        remember_stamp(_token())
        content_choices()
        make_module(title="Aaa made in this request")
        db.session.flush()
        assert "Aaa made in this request" in dict(content_choices().modules).values()
        db.session.rollback()


def test_a_profile_changes_the_professions_offered_only_by_its_profession(app: Any) -> None:
    content_choices()
    _, profile = make_champion("LON", profession="Paramedic")
    db.session.commit()
    assert "Paramedic" in content_choices().professions
    token = _token()
    profile.about = "Talks on urgent care."  # nothing the choices hold
    db.session.commit()
    assert _token() == token
    profile.profession = "Advanced paramedic"
    db.session.commit()
    assert _token() != token
    professions = content_choices().professions
    assert "Advanced paramedic" in professions and "Paramedic" not in professions
    assert list(professions) == sorted(professions)
    db.session.delete(profile)
    db.session.commit()
    assert "Advanced paramedic" not in content_choices().professions
