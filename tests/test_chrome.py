"""Components remembered by their parameters: never mixed up, never holding typed text."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from markupsafe import Markup

from futuredoctor import create_app
from futuredoctor.chrome import (
    _FOLDERS,
    _SLOT,
    PERSON,
    _key,
    _Uncacheable,
    cached,
    component,
)


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def _cached(app: Flask) -> dict[Any, Any]:
    return cached(app.jinja_env)


def test_the_same_parameters_render_once(app: Flask) -> None:
    params = {"text": "Save", "attributes": {"data-prevent-double-click": "true"}}
    with app.test_request_context():
        first = component("button", params)
        before = len(_cached(app))
        assert component("button", dict(params)) == first
        assert len(_cached(app)) == before
    assert "Save" in first


def test_keys_keep_types_and_order() -> None:
    """Same text as Markup or plain, True or 1, another order: different keys."""
    assert _key(Markup("<b>Go</b>")) != _key("<b>Go</b>")
    assert _key({"a": True}) != _key({"a": 1})
    assert _key({"a": 1, "b": 2}) != _key({"b": 2, "a": 1})
    assert _key([1, "x"]) == _key([1, "x"])
    with pytest.raises(_Uncacheable):
        _key({"a": 1.5})


def test_typed_text_is_not_kept(app: Flask) -> None:
    field = {"label": {"text": "Your name"}, "id": "name", "name": "name"}
    with app.test_request_context():
        component("input", {**field, "value": "Ada Lovelace"})
        component("input", {**field, "value": ""})
    assert not any("Ada Lovelace" in str(key) for key in _cached(app))
    assert any(key[0] == "input" for key in _cached(app))


def test_values_of_other_types_render_uncached(app: Flask) -> None:
    from datetime import date

    with app.test_request_context():
        html = component("button", {"text": date(2026, 12, 1)})
    assert "2026-12-01" in html
    assert not any("2026" in str(key) for key in _cached(app))


def _raw(app: Flask, source: str, **context: Any) -> str:
    """``source`` rendered with the package's own component macros, nothing remembered."""
    return app.jinja_env.from_string(
        source.replace("nhsuk/components", "nhsuk-raw/nhsuk/components")
    ).render(**context)


def test_imported_components_come_from_the_cache(app: Flask) -> None:
    """A template importing a component gets the package's HTML, rendered once."""
    source = (
        '{% from "nhsuk/components/tag/macro.jinja" import tag %}'
        '{% from "nhsuk/components/back-link/macro.jinja" import backLink %}'
        '{{ tag({"text": word, "classes": "nhsuk-tag--blue"}) }}'
        '{{ backLink({"href": "/modules", "text": "Back to modules"}) }}'
    )
    with app.test_request_context():
        first = app.jinja_env.from_string(source).render(word="Planned")
        assert first == _raw(app, source, word="Planned")
        size = len(_cached(app))
        assert app.jinja_env.from_string(source).render(word="Planned") == first
        assert len(_cached(app)) == size
        other = app.jinja_env.from_string(source).render(word="Done")
    assert ">\nDone" in other or "Done" in other
    assert any(key[0] == "tag" for key in _cached(app))


def test_a_call_with_a_body_is_rendered_every_time(app: Flask) -> None:
    source = (
        '{% from "nhsuk/components/details/macro.jinja" import details %}'
        '{% call details({"text": "More"}) %}<p>{{ body }}</p>{% endcall %}'
    )
    with app.test_request_context():
        first = app.jinja_env.from_string(source).render(body="first body")
        second = app.jinja_env.from_string(source).render(body="second body")
        assert first == _raw(app, source, body="first body")
    assert "<p>first body</p>" in first and "<p>second body</p>" in second
    assert not any("body" in str(key) for key in _cached(app))


def test_typed_dates_are_not_kept(app: Flask) -> None:
    params = {
        "id": "born",
        "fieldset": {"legend": {"text": "Date"}},
        "items": [
            {"name": "day", "value": "17"},
            {"name": "month", "value": "3"},
            {"name": "year", "value": "1984"},
        ],
    }
    with app.test_request_context():
        html = component("dateInput", params)
    assert 'value="1984"' in html
    assert not any("1984" in str(key) for key in _cached(app))


def test_the_least_recently_used_go_first(monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    monkeypatch.setattr("futuredoctor.chrome.MAX_ENTRIES", 3)
    with app.test_request_context():
        for word in ("a", "b", "c"):
            component("tag", {"text": word})
        component("tag", {"text": "a"})  # used again: now the newest
        component("tag", {"text": "d"})  # one too many: "b" goes
    kept = [key[1] for key in _cached(app)]
    assert kept == [("dict", (("text", word),)) for word in ("c", "a", "d")]


TYPED = [
    "Ada Lovelace",
    "a \"quoted\" <script>alert(1)</script> & 'apostrophe'",
    "line one\nline two\r\n\ttabbed  ",
    "\u202eevil\u202c \u200b ٣ ２０２６ é",
    "{{ params.value }} {% raw %} typedvalue",
    "&amp; &#34; already escaped",
]


@pytest.mark.parametrize("name", ["input", "textarea", "characterCount", "passwordInput"])
def test_a_typed_value_gives_the_packages_html_and_is_not_kept(app: Flask, name: str) -> None:
    """Remembered with a slot for the value, the field is byte for byte the package's own
    rendering of the same parameters, for any text; the text is never in the cache."""
    field = {
        "label": {"text": "Search"},
        "hint": {"text": "Words in the title"},
        "id": "text",
        "name": "text",
        "errorMessage": {"text": "Enter fewer words"},
        "maxlength": 200,
    }
    source = f'{{% from "nhsuk/components/{_FOLDERS[name]}/macro.jinja" import {name} %}}'
    source += f"{{{{ {name}(p) }}}}"
    with app.test_request_context():
        for value in TYPED:
            params = {**field, "value": value}
            assert component(name, params) == _raw(app, source, p=params), value
    assert any(key[0] == name and _SLOT in str(key) for key in _cached(app))  # remembered
    kept = " ".join(str(key) for key in _cached(app))
    assert not any(value in kept or repr(value)[1:-1] in kept for value in TYPED)


def test_a_typed_date_gives_the_packages_html(app: Flask) -> None:
    """Each typed box has its own slot; empty boxes, and every hostile text, come out as
    the package writes them."""
    source = '{% from "nhsuk/components/date-input/macro.jinja" import dateInput %}'
    source += "{{ dateInput(p) }}"
    with app.test_request_context():
        for day, month, year in [("17", "3", "1984"), ("", "12", ""), *((t, t, t) for t in TYPED)]:
            params = {
                "id": "born",
                "fieldset": {"legend": {"text": "Date"}},
                "errorMessage": {"text": "Enter a real date"},
                "items": [
                    {"name": "day", "value": day, "classes": "nhsuk-input--width-2"},
                    {"name": "month", "value": month, "classes": "nhsuk-input--width-2"},
                    {"name": "year", "value": year, "classes": "nhsuk-input--width-4"},
                ],
            }
            assert component("dateInput", params) == _raw(app, source, p=params), day
    assert any(key[0] == "dateInput" and _SLOT in str(key) for key in _cached(app))
    kept = " ".join(str(key) for key in _cached(app))
    assert "1984" not in kept and not any(value in kept for value in TYPED)


def test_a_whole_number_field_is_remembered_with_its_value_in_a_slot(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A number field (minutes, places) renders as the package writes the number, and after
    the first page it is no longer rendered afresh for each value."""
    from wtforms import Form, IntegerField

    import futuredoctor.chrome as chrome

    class Minutes(Form):
        minutes = IntegerField("Minutes")

    source = '{% from "macros/forms.html" import text_field %}'
    source += '{{ text_field(f.minutes, type="number") }}'
    rendered: list[str] = []
    real = chrome._render

    def counting(env: Any, templates: Any, name: str, params: Any) -> Markup:
        rendered.append(name)
        return real(env, templates, name, params)

    monkeypatch.setattr(chrome, "_render", counting)
    template = app.jinja_env.from_string(source)
    with app.test_request_context():
        pages = [template.render(f=Minutes(data={"minutes": n})) for n in (20, 45, 0)]
    assert 'value="20"' in pages[0]
    assert 'value="45"' in pages[1]
    assert 'value="0"' in pages[2]
    assert rendered.count("input") <= 1


_HEADER = {
    "service": {"text": "Future Doctor pilots", "href": "/"},
    "account": {"items": [{"href": "/account", "text": PERSON, "icon": True}]},
    "navigation": {"items": [{"text": "Modules", "href": "/modules"}]},
}


def test_one_header_is_kept_for_everyone_with_the_same_navigation(app: Flask) -> None:
    """The person's name goes into the remembered header's slot, escaped as the macro
    escapes it: one entry for every person, and no name kept."""
    with app.test_request_context():
        size = len(_cached(app))
        ada = component("header", _HEADER, person='Ada <b>"Lovelace"</b>')
        bob = component("header", _HEADER, person="Bob Smith")
        assert len(_cached(app)) == size + 1
        bobs = {"items": [{"href": "/account", "text": "Bob Smith", "icon": True}]}
        raw = _raw(
            app,
            '{% from "nhsuk/components/header/macro.jinja" import header %}{{ header(p) }}',
            p={**_HEADER, "account": bobs},
        )
    assert bob == raw
    assert "Ada &lt;b&gt;&#34;Lovelace&#34;&lt;/b&gt;" in ada and "Bob" not in ada
    assert "Bob Smith" in bob and "Ada" not in bob
    kept = " ".join(str(key) for key in _cached(app))
    assert "Ada" not in kept and "Bob" not in kept and PERSON in kept


def test_a_header_whose_slot_is_not_one_value_is_rendered_in_full(app: Flask) -> None:
    """The name's slot written twice (here also as the service's name): the header is
    rendered with the name itself, as if nothing were remembered."""
    params = {**_HEADER, "service": {"text": PERSON, "href": "/"}}
    named = {**_HEADER, "service": {"text": "Cy", "href": "/"}}
    named["account"] = {"items": [{"href": "/account", "text": "Cy", "icon": True}]}
    source = '{% from "nhsuk/components/header/macro.jinja" import header %}{{ header(p) }}'
    with app.test_request_context():
        html = component("header", params, person="Cy")
        assert html == _raw(app, source, p=named)
    assert PERSON not in html and "Cy" in html


def test_fixed_urls_are_built_once_per_app_and_mount_point(app: Flask) -> None:
    from flask import url_for

    from futuredoctor.chrome import fixed_url

    with app.test_request_context("/"):
        assert fixed_url("learning.catalogue") == url_for("learning.catalogue") == "/modules"
    with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": "/pilots"}):
        assert fixed_url("learning.catalogue") == "/pilots/modules"
    assert app.extensions["futuredoctor.fixed_urls"] == {
        ("", "learning.catalogue"): "/modules",
        ("/pilots", "learning.catalogue"): "/pilots/modules",
    }
