"""Module Markdown renders to HTML that cannot carry scripts into a participant's page."""

from __future__ import annotations

import shutil
from pathlib import Path

from markupsafe import Markup

from futuredoctor.content import load_content, render_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_markdown_basics_and_tables() -> None:
    html = render_markdown(
        "## Key ideas\n\nSome **bold** and *soft* `code`.\n\n- one\n- two\n\n"
        "| Drug | Dose |\n|:--|--:|\n| A | 5 mg |\n"
    )
    assert isinstance(html, Markup)
    for fragment in ("<h2>Key ideas</h2>", "<strong>bold</strong>", "<em>soft</em>"):
        assert fragment in html
    assert "<code>code</code>" in html
    assert "<li>one</li>" in html
    assert "<th>Drug</th>" in html
    assert "<td>5 mg</td>" in html
    assert "style=" not in html  # column alignment styles are dropped


def test_level_one_headings_are_demoted() -> None:
    assert render_markdown("# Title").strip() == "<h2>Title</h2>"


def test_script_and_raw_html_never_become_tags() -> None:
    html = render_markdown(
        "<script>alert(1)</script>\n\nHello <img src=x onerror=alert(1)> "
        '<a href="https://evil.example" onclick="x()">there</a>\n\n<!-- hidden -->'
    )
    assert "<script" not in html
    assert "<img" not in html
    assert "<a " not in html
    assert "<!--" not in html
    assert "&lt;script&gt;" in html  # shown as text, so the author can see their mistake


def test_only_web_and_mail_links_survive() -> None:
    html = render_markdown(
        "[bad](javascript:alert(1)) <javascript:alert(2)> [data](data:text/html,hi) "
        "[web](https://www.nhs.uk) [mail](mailto:team@example.org) [page](/modules)"
    )
    assert 'href="javascript' not in html
    assert 'href="data' not in html
    assert '<a href="https://www.nhs.uk" rel="noopener noreferrer">web</a>' in html
    assert 'href="mailto:team@example.org"' in html
    assert 'href="/modules"' in html


def test_every_shipped_module_renders(tmp_path: Path) -> None:
    modules = shutil.copytree(ROOT / "modules_content", tmp_path / "modules_content")
    regions = shutil.copytree(ROOT / "regions", tmp_path / "regions")
    for module in load_content(modules, regions).modules:
        html = render_markdown(module.body)
        assert "<h2>" in html
        assert "&lt;" not in html, module.path  # no raw HTML left for the author to fix


def test_the_same_text_is_rendered_once_and_stays_safe() -> None:
    from futuredoctor.content.render import _render

    text = "# Title\n\nA *remembered* body <script>alert(1)</script>"
    first = render_markdown(text)
    hits = _render.cache_info().hits
    second = render_markdown(text)
    assert second == first and isinstance(second, Markup)
    assert _render.cache_info().hits == hits + 1
    assert "<h2>Title</h2>" in second and "<script>" not in second
    assert render_markdown(text + " changed") != first
