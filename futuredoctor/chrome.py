"""The page chrome (NHS.UK header and footer), rendered through nhsuk-frontend-jinja and
remembered by its parameters.

The header macro is the most expensive part of every page, yet its output is a pure
function of a few values (service name, the person's name, their navigation). Rendering it
once per distinct set of values keeps each request cheap without hand-copying the markup.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from flask import current_app
from markupsafe import Markup

_TEMPLATES = {
    "header": '{% from "nhsuk/components/header/macro.jinja" import header %}{{ header(p) }}',
    "footer": '{% from "nhsuk/components/footer/macro.jinja" import footer %}{{ footer(p) }}',
}


def component(name: str, params: dict[str, Any]) -> Markup:
    """The rendered ``name`` component for ``params`` (a JSON-able mapping)."""
    key = json.dumps(params, sort_keys=True, default=str)
    return _render(current_app._get_current_object(), name, key)  # type: ignore[attr-defined]


@lru_cache(maxsize=4096)
def _render(app: Any, name: str, key: str) -> Markup:
    template = _compiled(app, name)
    # The environment autoescapes, so the rendered component is already safe HTML.
    return Markup(template.render(p=json.loads(key)))  # noqa: S704


@lru_cache(maxsize=16)
def _compiled(app: Any, name: str) -> Any:
    return app.jinja_env.from_string(_TEMPLATES[name])
