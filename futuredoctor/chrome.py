"""NHS.UK components rendered through nhsuk-frontend-jinja and remembered by their
parameters: the page chrome (header, footer) and the form fields of
``templates/macros/forms.html``.

A component's HTML is a pure function of its parameters, and rendering the NHS.UK macros
is the most expensive part of most pages, while the same parameters come back on page
after page (the header for a person, an empty form's fields, the footer for everyone).
So each distinct set of parameters is rendered once per app and the HTML reused.

The key is the parameters themselves, types included and in order (a ``Markup`` string
is not the same key as the plain string with the same text, ``1`` not the same as
``True``). Parameters holding anything else (a date, an undefined value, some other
object) are rendered every time, uncached, and so is a text field holding what someone
typed. Because the key holds every parameter, a person's own values (their name in the
header) only ever come back for exactly the same parameters, never for anyone else's.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for
from markupsafe import Markup

# name -> (folder under nhsuk/components, macro name)
_COMPONENTS = {
    "header": ("header", "header"),
    "footer": ("footer", "footer"),
    "input": ("input", "input"),
    "passwordInput": ("password-input", "passwordInput"),
    "select": ("select", "select"),
    "button": ("button", "button"),
    "checkboxes": ("checkboxes", "checkboxes"),
    "characterCount": ("character-count", "characterCount"),
    "errorSummary": ("error-summary", "errorSummary"),
}
# Fields whose "value" is what someone typed: rendered afresh when it is not empty, so
# what people enter is not kept (it would rarely come back anyway).
_TYPED = frozenset({"input", "characterCount"})
MAX_ENTRIES = 4096  # per app; the whole cache is dropped when it fills
_EXTENSION = "futuredoctor.components"
_LINKS = "futuredoctor.chrome_links"


class _Uncacheable(Exception):
    pass


def component(name: str, params: dict[str, Any]) -> Markup:
    """The rendered ``name`` component (an NHS.UK macro) for ``params``."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    state = app.extensions.get(_EXTENSION)
    if state is None:
        state = app.extensions[_EXTENSION] = ({}, {})
    rendered, templates = state
    if name in _TYPED and params.get("value"):
        return _render(app, templates, name, params)
    try:
        key = (name, _key(params))
    except _Uncacheable:
        return _render(app, templates, name, params)
    html = rendered.get(key)
    if html is None:
        if len(rendered) >= MAX_ENTRIES:
            rendered.clear()
        html = rendered[key] = _render(app, templates, name, params)
    return html


def _render(app: Any, templates: dict[str, Any], name: str, params: Any) -> Markup:
    template = templates.get(name)
    if template is None:
        folder, macro = _COMPONENTS[name]
        path = f"nhsuk/components/{folder}/macro.jinja"
        source = f'{{% from "{path}" import {macro} %}}{{{{ {macro}(p) }}}}'
        template = templates[name] = app.jinja_env.from_string(source)
    # The environment autoescapes, so the rendered component is already safe HTML.
    return Markup(template.render(p=params))  # noqa: S704


_SCALARS = (str, bool, int, type(None))


def _key(value: Any) -> Any:
    """A hashable, type-preserving form of ``value``, or ``_Uncacheable``."""
    kind = type(value)
    if kind is str:
        return value
    if kind in _SCALARS:
        return (kind.__name__, value)
    if kind is Markup:
        return ("markup", str(value))
    if kind is dict:
        return ("dict", tuple((_key(k), _key(v)) for k, v in value.items()))
    if kind is list or kind is tuple:
        return (kind.__name__, tuple(_key(v) for v in value))
    raise _Uncacheable


def links() -> dict[str, str]:
    """The layout's fixed URLs (design system files, home, account, sign in and out, the
    footer's pages): the same on every page, so built once per app (kept on the app)."""
    built = current_app.extensions.setdefault(_LINKS, {})
    found = built.get(request.script_root)
    if found is None:
        found = built[request.script_root] = _links()
    return found


def _links() -> dict[str, str]:
    def static(filename: str) -> str:
        return url_for("static", filename=filename)

    return {
        "assets": static("nhsuk/assets"),
        "nhsuk_css": static("nhsuk/nhsuk-frontend.min.css"),
        "app_css": static("css/app.css"),
        "init_js": static("js/init.js"),
        "home": url_for("main.home"),
        "account": url_for("learning.account_page"),
        "sign_in": url_for("auth.login"),
        "sign_out": url_for("auth.logout"),
        "accessibility": url_for("main.accessibility"),
        "privacy": url_for("main.privacy"),
    }
