"""NHS.UK components rendered through nhsuk-frontend-jinja and remembered by their
parameters: every component a template imports from ``nhsuk/components/…/macro.jinja``,
the page chrome (header, footer) and the form fields of ``templates/macros/forms.html``.

A component's HTML is a pure function of its parameters, and rendering the NHS.UK macros
is the most expensive part of most pages, while the same parameters come back on page
after page (the header for a person, an empty form's fields, a status tag, the back
link). So each distinct set of parameters is rendered once per app and the HTML reused;
the least recently used are dropped past ``MAX_ENTRIES``.

Templates keep importing the components as the design system documents them: the app's
loader answers ``nhsuk/components/<name>/macro.jinja`` with a small macro of the same
name that asks :func:`component` for the HTML, and serves the package's own macro as
``nhsuk-raw/components/<name>/macro.jinja``, which is what actually renders. A call with
a body (``{% call details(…) %}``) is rendered afresh every time: its body is not a
parameter.

The key is the parameters themselves, types included and in order (a ``Markup`` string
is not the same key as the plain string with the same text, ``1`` not the same as
``True``). Parameters holding anything else (a date, an undefined value, some other
object) are rendered every time, uncached. A field holding what someone typed is
remembered with a placeholder for the text, which is put in afterwards, escaped as the
macro escapes it: the text itself is never kept. Because the key holds every parameter,
a person's own values (their name in the header) only ever come back for exactly the
same parameters, never for anyone else's.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nhsuk_frontend_jinja
from flask import current_app, request, url_for
from jinja2 import BaseLoader, Environment, pass_environment
from markupsafe import Markup, escape

RAW = "nhsuk-raw/"
_SHIMMED = re.compile(r"nhsuk/components/([a-z-]+)/macro\.jinja")
_MACRO = re.compile(r"{%-?\s*macro\s+(\w+)\(")


def _discover() -> dict[str, tuple[str, bool]]:
    """Each component's folder -> (its macro's name, whether the macro takes a body)."""
    root = Path(nhsuk_frontend_jinja.__file__).parent / "templates" / "nhsuk" / "components"
    found: dict[str, tuple[str, bool]] = {}
    for source in sorted(root.glob("*/macro.jinja")):
        text = source.read_text(encoding="utf-8")
        macro = _MACRO.search(text)
        if macro:
            found[source.parent.name] = (macro.group(1), "caller" in text)
    return found


# folder under nhsuk/components -> (macro name, takes a body); macro name -> folder
_COMPONENTS = _discover()
_FOLDERS = {macro: folder for folder, (macro, _) in _COMPONENTS.items()}
# Fields whose "value" is what someone typed: when it is not empty, remembered with a slot
# in its place (``_slotted``), so what people enter is never kept.
_TYPED = frozenset({"input", "characterCount", "textarea", "passwordInput"})
# Stands for a typed value in a remembered field: letters and digits only, so the macro
# writes it unchanged, and random, so no label or hint can hold it.
_SLOT = f"typedvalue{secrets.token_hex(12)}"
# Stands for the signed-in person's name in the header (``PERSON``): one header is kept for
# everyone with the same navigation, not one per person (60,000 participants would push
# each other out of ``MAX_ENTRIES`` and every page would render the header afresh).
PERSON = f"personname{secrets.token_hex(12)}"
MAX_ENTRIES = 4096  # per app; the least recently used go first
_EXTENSION = "futuredoctor_components"  # attribute of the Jinja environment
_LINKS = "futuredoctor.chrome_links"
_FIXED = "futuredoctor.fixed_urls"


class ComponentLoader(BaseLoader):
    """Wraps the app's loader: component macros come back as cached ones (see above)."""

    def __init__(self, inner: BaseLoader) -> None:
        self.inner = inner

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        if template.startswith(RAW):
            return self.inner.get_source(environment, template[len(RAW) :])
        shimmed = _SHIMMED.fullmatch(template)
        if shimmed is None:
            return self.inner.get_source(environment, template)
        source, filename, uptodate = self.inner.get_source(environment, template)
        known = _COMPONENTS.get(shimmed.group(1))
        if known is None:  # not a component this version knows: leave it alone
            return source, filename, uptodate
        return _shim(shimmed.group(1), *known), filename, uptodate

    def list_templates(self) -> list[str]:
        return self.inner.list_templates()


def _shim(folder: str, macro: str, takes_body: bool) -> str:
    cached = f'{{{{ component("{macro}", params) }}}}'
    if not takes_body:
        return f"{{% macro {macro}(params = {{}}) %}}{cached}{{% endmacro %}}"
    return (
        f'{{% from "{RAW}nhsuk/components/{folder}/macro.jinja" import {macro} as raw %}}'
        f"{{% macro {macro}(params = {{}}) %}}"
        f"{{% if caller is defined %}}{{{{ raw(params, caller=caller) }}}}"
        f"{{% else %}}{cached}{{% endif %}}{{% endmacro %}}"
    )


class _Uncacheable(Exception):
    pass


def component(name: str, params: dict[str, Any], person: str | None = None) -> Markup:
    """The rendered ``name`` component (an NHS.UK macro) for ``params``, in this app; with
    ``person``, each ``PERSON`` in ``params`` stands for that text (see ``_with_person``)."""
    return render_component(current_app.jinja_env, name, params, person)


@pass_environment
def template_component(
    environment: Environment, name: str, params: Any, person: str | None = None
) -> Markup:
    """:func:`render_component` as the templates' ``component`` global."""
    return render_component(environment, name, params, person)


def cached(environment: Environment) -> OrderedDict[Any, Markup]:
    """The environment's remembered components (for tests and diagnostics)."""
    return _state(environment)[0]


def _state(environment: Environment) -> tuple[OrderedDict[Any, Markup], dict[str, Any], Any]:
    state = getattr(environment, _EXTENSION, None)
    if state is None:
        state = (OrderedDict(), {}, threading.Lock())
        setattr(environment, _EXTENSION, state)
    return state


def render_component(
    environment: Environment, name: str, params: Any, person: str | None = None
) -> Markup:
    """The rendered ``name`` component for ``params``: remembered when it may be."""
    if person is not None:
        return _with_typed_values(environment, name, params, {PERSON: person})
    if (name in _TYPED or name == "dateInput") and _typed(name, params):
        slotted = _slotted(name, params)
        if slotted is not None:
            return _with_typed_values(environment, name, *slotted)
        return _render(environment, _state(environment)[1], name, params)
    return _remembered(environment, name, params)


def _filled(value: Any, texts: dict[str, str]) -> Any:
    """``value`` with each slot's text in its place: what the macro is given when the HTML
    with the slots cannot be used."""
    if type(value) is str:
        for slot, text in texts.items():
            value = value.replace(slot, text)
        return value
    if isinstance(value, dict):
        return {key: _filled(item, texts) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_filled(item, texts) for item in value)
    return value


def _slot(number: int) -> str:
    return f"{_SLOT}n{number}e"  # no slot's text begins another's


def _slotted(name: str, params: Any) -> tuple[dict[str, Any], dict[str, str]] | None:
    """``params`` with a slot in place of each typed text, and the text of each slot; None
    when the typed values are not all plain text."""
    if not isinstance(params, dict):
        return None
    if name in _TYPED:
        value = params.get("value")
        return ({**params, "value": _slot(0)}, {_slot(0): value}) if type(value) is str else None
    items = params.get("items")
    if "values" in params or not isinstance(items, list):
        return None
    texts: dict[str, str] = {}
    slotted_items = []
    for number, item in enumerate(items):
        if not isinstance(item, dict) or type(item.get("value", "")) is not str:
            return None
        if item.get("value"):
            if item["value"].splitlines() != [item["value"]]:
                return None  # the macro indents each box's lines: rendered in full
            texts[_slot(number)] = item["value"]
            item = {**item, "value": _slot(number)}
        slotted_items.append(item)
    return {**params, "items": slotted_items}, texts


def _with_typed_values(
    environment: Environment, name: str, slotted: dict[str, Any], texts: dict[str, str]
) -> Markup:
    """A field holding typed text (or the header holding a person's name): the component
    remembered with slots for its values (see ``_slotted``), and each text, escaped as the
    macro escapes it, put in its slot's place. What was typed is never kept, and a search
    box or an edit form no longer renders the whole macro at every request."""
    html = str(_remembered(environment, name, slotted))
    if any(html.count(slot) != 1 for slot in texts):  # a slot is not just a value
        return _render(environment, _state(environment)[1], name, _filled(slotted, texts))
    for slot, text in texts.items():
        html = html.replace(slot, str(escape(text)))
    return Markup(html)  # noqa: S704  (the remembered HTML and escaped text)


def _remembered(environment: Environment, name: str, params: Any) -> Markup:
    rendered, templates, lock = _state(environment)
    try:
        key = (name, _key(params))
    except _Uncacheable:
        return _render(environment, templates, name, params)
    with lock:
        html = rendered.get(key)
        if html is not None:
            rendered.move_to_end(key)
            return html
    html = _render(environment, templates, name, params)
    with lock:
        rendered[key] = html
        if len(rendered) > MAX_ENTRIES:
            rendered.popitem(last=False)
    return html


def _typed(name: str, params: Any) -> bool:
    """Whether the field holds something typed (for a date, any of its three boxes)."""
    if not isinstance(params, dict):
        return True
    if name == "dateInput":
        items = params.get("items") or []
        return any(not isinstance(item, dict) or item.get("value") for item in items)
    return bool(params.get("value"))


def _render(environment: Environment, templates: dict[str, Any], name: str, params: Any) -> Markup:
    template = templates.get(name)
    if template is None:
        path = f"{RAW}nhsuk/components/{_FOLDERS[name]}/macro.jinja"
        source = f'{{% from "{path}" import {name} %}}{{{{ {name}(p) }}}}'
        template = templates[name] = environment.from_string(source)
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


def fixed_url(endpoint: str) -> str:
    """``url_for(endpoint)`` for a page that takes no values, built once per app (kept on
    the app, as ``links()``): for the fixed links of the most visited pages."""
    built = current_app.extensions.setdefault(_FIXED, {})
    key = (request.script_root, endpoint)
    found = built.get(key)
    if found is None:
        found = built[key] = url_for(endpoint)
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
