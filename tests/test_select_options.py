"""A select box's options written in one pass: the same marked-up options WTForms makes,
the chosen one marked, every value and label escaped."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField

from futuredoctor.select_options import choice_values, select_options


class _Filters(Form):
    region = SelectField("Region", choices=[], validate_choice=False)
    cohort = SelectField("Cohort", choices=[], coerce=int, validate_choice=False)


def _wtforms_options(field: Any) -> str:
    return "".join(
        f'<option value="{c.value}"{" selected" if c.selected else ""}>{c.label}</option>'
        for c in field.iter_choices()
    )


def test_plain_choices_are_written_as_wtforms_marks_them() -> None:
    form = _Filters(MultiDict({"region": "LON", "cohort": "2"}))
    form.region.choices = [("", "All regions"), ("LON", "London"), ("SW", "South West")]
    form.cohort.choices = [(1, "Autumn"), (2, "Spring")]
    assert str(select_options(form.region)) == _wtforms_options(form.region)
    assert 'value="LON" selected' in select_options(form.region)
    assert str(select_options(form.cohort)) == _wtforms_options(form.cohort)
    assert 'value="2" selected' in select_options(form.cohort)
    assert choice_values(form.region) == {"", "LON", "SW"}


def test_values_and_labels_are_escaped() -> None:
    form = _Filters(MultiDict({"region": '"><script>'}))
    form.region.choices = [('"><script>', "<b>Bold & brave</b>")]
    html = str(select_options(form.region))
    assert "<script>" not in html and "<b>" not in html
    escaped = "&lt;b&gt;Bold &amp; brave&lt;/b&gt;"
    assert html == f'<option value="&#34;&gt;&lt;script&gt;" selected>{escaped}</option>'


def test_choices_that_are_not_plain_pairs_go_through_wtforms() -> None:
    form = _Filters(MultiDict({"region": "b"}))
    form.region.choices = ["a", "b"]  # values only
    assert str(select_options(form.region)).count("<option") == 2
    assert 'value="b" selected' in select_options(form.region)
    assert choice_values(form.region) == {"a", "b"}
