"""Components remembered by their parameters: never mixed up, never holding typed text."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from markupsafe import Markup

from futuredoctor import create_app
from futuredoctor.chrome import _key, _Uncacheable, component

EXTENSION = "futuredoctor.components"


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def _cached(app: Flask) -> dict[Any, Any]:
    return app.extensions[EXTENSION][0]  # type: ignore[no-any-return]


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
