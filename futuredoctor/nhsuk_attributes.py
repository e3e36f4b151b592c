"""The NHS.UK components' ``nhsukAttributes`` macro, computed in Python.

Every nhsuk-frontend-jinja component renders its HTML attributes through the macro in
``nhsuk/macros/attributes.jinja``, often several times (a form field calls it for the form
group, the label, the hint and the input). Written in Jinja, the macro was the most
expensive part of rendering a form. ``futuredoctor/templates/nhsuk/macros/attributes.jinja``
shadows the package's file and exports this function under the macro's name, so every
component calls it unchanged.

It follows the macro step by step (same tests, same filters, same string formatting), so
the HTML is byte for byte what the macro writes; ``tests/test_nhsuk_attributes.py``
compares the two on every kind of value the components pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import Undefined, pass_eval_context
from jinja2.filters import do_replace, do_tojson
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape

_UNSET = object()
_JSON_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027"))


def _get(environment: Any, obj: Any, name: str) -> Any:
    return environment.getattr(obj, name)


@pass_eval_context
def nhsuk_attributes(eval_ctx: EvalContext, attributes: Any) -> Markup:
    """``nhsukAttributes(attributes)``: the attributes as ``name="value"`` pairs."""
    environment = eval_ctx.environment
    html: Any = attributes if isinstance(attributes, str) else ""
    if (
        not isinstance(attributes, Undefined)
        and hasattr(attributes, "__html__")
        and isinstance(_get(environment, attributes, "val"), str)
    ):
        html = attributes
    elif isinstance(attributes, Mapping):
        for name, item in attributes.items():
            html = _pair(eval_ctx, html, name, item)
    return Markup(html)  # noqa: S704  (the macro marks its result safe the same way)


def _pair(eval_ctx: EvalContext, html: Any, name: Any, item: Any) -> Any:
    environment = eval_ctx.environment
    options = (
        item if isinstance(item, Mapping) else {"value": item, "type": "string", "optional": False}
    )
    given = _get(environment, options, "value")
    # The macro's ``value`` is undefined unless a branch sets it (never None or a boolean).
    value: Any = _UNSET
    if isinstance(given, Undefined) or given is None:
        value, escaped = None, ""
    elif hasattr(given, "__html__"):
        value, escaped = _get(environment, given, "val"), given
    elif _get(environment, options, "type") == "array" and _iterable(given):
        escaped = do_tojson(eval_ctx, given)
        for old, new in _JSON_ESCAPES:
            escaped = do_replace(eval_ctx, escaped, old, new)
    else:
        value, escaped = given, escape(given)
    optional = _get(environment, options, "optional") is True
    if optional and value is True:
        return f"{html} {escape(name)}"
    if not optional or (value is not None and value is not False):
        shown = str(value).lower() if value is True or value is False else escaped
        pattern = "{} {}='{}'" if '"' in escaped else '{} {}="{}"'
        return pattern.format(html, escape(name), shown)
    return html


def _iterable(value: Any) -> bool:
    try:
        iter(value)
    except TypeError:
        return False
    return True
