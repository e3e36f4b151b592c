"""The options of a select box, written in one pass over its choices.

A filter form offers every module, priority and region on every page of the network and
the directory (about 200 options at national size). WTForms makes a choice object for
each option, twice (to check the value and to draw the box), and a template loop then
escapes each part separately: together most of the rendering of those pages. Plain
``(value, label)`` choices, the only kind the filter boxes are given, are read directly;
anything else (groups, extra attributes) goes through WTForms as before.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from wtforms import SelectField


def _pairs(field: SelectField) -> list[tuple[Any, Any]] | None:
    """``field.choices`` as (value, label) pairs, or None when they are not all plain."""
    choices = field.choices
    if not isinstance(choices, list | tuple):
        return None
    pairs = []
    for choice in choices:
        if not isinstance(choice, tuple) or len(choice) != 2:
            return None
        pairs.append(choice)
    return pairs


def choice_values(field: SelectField) -> set[Any]:
    """The values a select box offers."""
    pairs = _pairs(field)
    if pairs is None:
        return {c.value for c in field.iter_choices()}
    return {value for value, _ in pairs}


def select_options(field: SelectField) -> Markup:
    """The ``<option>`` elements of ``field``, the chosen one marked, as WTForms marks it
    (the coerced value equal to the field's data)."""
    pairs = _pairs(field)
    if pairs is None:
        pairs = [(c.value, c.label) for c in field.iter_choices()]
    data = field.data
    parts = []
    for value, label in pairs:
        selected = " selected" if field.coerce(value) == data else ""
        parts.append(f'<option value="{escape(value)}"{selected}>{escape(label)}</option>')
    return Markup("".join(parts))  # noqa: S704  (every value and label escaped above)
