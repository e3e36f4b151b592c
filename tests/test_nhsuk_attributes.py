"""The Python ``nhsukAttributes`` writes exactly what nhsuk-frontend-jinja's macro writes."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import PackageLoader
from jinja2.runtime import Macro
from markupsafe import Markup

from futuredoctor import create_app

MACRO = "nhsuk/macros/attributes.jinja"
CALL = '{% from "' + MACRO + '" import nhsukAttributes %}[{{ nhsukAttributes(a) }}]'
MISSING = object()

VALUES: list[Any] = [
    MISSING,
    None,
    "",
    ' data-module="x"',
    Markup(' data-a="<b>"'),
    {},
    {
        "id": "name",
        "aria-hidden": True,
        "aria-expanded": False,
        "tabindex": -1,
        "count": 0,
        "title": 'say "hello" & <wave>',
        "apostrophe": "it's",
        "safe": Markup("<i>&amp;</i>"),
        "safe-quote": Markup('a"b'),
        "nothing": None,
        "empty": "",
        'odd"name': "x",
        "<tag>": 1,
    },
    {
        "opt-true": {"value": True, "optional": True},
        "opt-false": {"value": False, "optional": True},
        "opt-none": {"value": None, "optional": True},
        "opt-missing": {"optional": True},
        "opt-text": {"value": "x", "optional": True},
        "opt-empty": {"value": "", "optional": True},
        "opt-zero": {"value": 0, "optional": True},
        "opt-safe": {"value": Markup("<b>"), "optional": True},
        "not-optional-true": {"value": True, "optional": False},
        "string-type": {"value": "y", "type": "string"},
        "array": {"value": ["a", "b<c>", "d&e", "it's"], "type": "array"},
        "array-optional": {"value": [1, 2], "type": "array", "optional": True},
        "array-of-text": {"value": "abc", "type": "array"},
        "array-not-iterable": {"value": 5, "type": "array"},
        "array-missing": {"type": "array", "optional": True},
        "after-array": True,
    },
]


@pytest.fixture(scope="module")
def environments() -> tuple[Any, Any]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    ours = app.jinja_env
    theirs = ours.overlay(loader=PackageLoader("nhsuk_frontend_jinja"))
    return ours, theirs


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_same_html_as_the_macro(environments: tuple[Any, Any], value: Any) -> None:
    ours, theirs = environments
    given = {} if value is MISSING else {"a": value}
    expected = theirs.from_string(CALL).render(**given)
    assert ours.from_string(CALL).render(**given) == expected


def test_the_app_uses_the_python_version(environments: tuple[Any, Any]) -> None:
    ours, theirs = environments
    assert ours.get_template(MACRO).module.nhsukAttributes is ours.globals["nhsuk_attributes"]
    assert isinstance(theirs.get_template(MACRO).module.nhsukAttributes, Macro)


def test_components_render_as_before(environments: tuple[Any, Any]) -> None:
    """Whole components (attributes passed at several levels) come out identical."""
    ours, theirs = environments
    source = (
        '{% from "nhsuk/components/input/macro.jinja" import input %}'
        '{% from "nhsuk/components/button/macro.jinja" import button %}'
        '{% from "nhsuk/components/checkboxes/macro.jinja" import checkboxes %}'
        "{{ input(p) }}{{ button({'text': 'Save', 'attributes': {'data-x': 'y'}}) }}"
        "{{ checkboxes(c) }}"
    )
    params = {
        "p": {
            "label": {"text": "Name"},
            "hint": {"text": "As on your passport"},
            "id": "name",
            "name": "name",
            "value": 'A "quoted" <name>',
            "errorMessage": {"text": "Enter your name"},
            "attributes": {"autocomplete": "name", "spellcheck": False},
            "formGroup": {"attributes": {"data-module": "x"}},
        },
        "c": {
            "idPrefix": "c",
            "name": "c",
            "fieldset": {"legend": {"text": "Pick"}},
            "items": [
                {"value": "a", "text": "A", "checked": True, "attributes": {"data-a": 1}},
                {"value": "b", "text": "B", "conditional": {"html": Markup("<p>more</p>")}},
            ],
        },
    }
    assert ours.from_string(source).render(**params) == theirs.from_string(source).render(**params)
