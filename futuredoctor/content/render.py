"""Turn module Markdown into HTML that is safe to show inside our pages.

Two layers, because content is edited by many hands: markdown-it never passes raw HTML
through, and nh3 then keeps only an allow-list of tags, attributes and link schemes, so a
``<script>`` or a ``javascript:`` link cannot reach a participant's browser either way.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    *("h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote"),
    *("ul", "ol", "li", "strong", "em", "code", "pre", "a"),
    *("table", "thead", "tbody", "tr", "th", "td"),
}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


def render_markdown(text: str) -> Markup:
    """Render ``text`` (CommonMark plus tables) to sanitised HTML, ready for a template."""
    return Markup(_render(text))  # noqa: S704  (sanitised by nh3 in _render)


@lru_cache(maxsize=256)
def _render(text: str) -> str:
    """The HTML for ``text``, remembered: the same module body is shown on page after page,
    and parsing and sanitising a body of a few thousand characters costs milliseconds."""
    tokens = _markdown.parse(text)
    for token in tokens:
        # The page title is the only <h1>; demote any in the body rather than lose it.
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"
    html = _markdown.renderer.render(tokens, _markdown.options, {})
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return cleaned
