"""Templates fail loudly in tests when they use a name they were not given."""

from __future__ import annotations

import pytest
from flask import Flask, render_template_string
from jinja2 import UndefinedError


def test_an_unknown_name_fails(app: Flask) -> None:
    with app.test_request_context(), pytest.raises(UndefinedError, match="misspelt"):
        render_template_string("{{ misspelt }}")
    with app.test_request_context(), pytest.raises(UndefinedError):
        render_template_string("{% if forgotten %}x{% endif %}")


def test_missing_keys_of_given_values_stay_optional(app: Flask) -> None:
    with app.test_request_context():
        assert render_template_string("[{{ params.title }}]", params={}) == "[]"
        assert render_template_string("{{ x|default('none') }}") == "none"
        assert render_template_string("{{ 'yes' if y is defined else 'no' }}") == "no"


def test_the_design_system_reads_optional_names(app: Flask) -> None:
    """The NHS.UK page template reads many names nobody sets (htmlClasses, bodyClasses)."""
    with app.test_request_context():
        page = render_template_string('{% extends "nhsuk/template.jinja" %}')
    assert "<html" in page
