"""Previewing a new module version: the Markdown being typed is rendered through the same
sanitiser as the published page, every value entered comes back, and nothing is published."""

from __future__ import annotations

import re

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.models import FeedbackItem, FeedbackStatus, ModuleVersion
from tests.helpers import login
from tests.livinglab.test_livinglab_loop import _version_form

BODY = (
    "## Worked example\n\nAsk **who else** is in the room.\n\n"
    "<script>alert('x')</script>\n\n"
    '<img src="x" onerror="alert(1)">\n\n'
    "[A bad link](javascript:alert(1)) and [a good one](https://www.nhs.uk/)\n"
)


def _versions() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ModuleVersion)) or 0


def _preview_section(page: str) -> str:
    return page.split('<section class="app-preview"', 1)[1].split("</section>", 1)[0]


def test_preview_renders_sanitised_markdown_and_keeps_every_value(client, lab) -> None:
    login(client, lab.educator)
    url = f"/modules/{lab.module.slug}/versions/new"
    before = _versions()
    ticked = lab.items[1].id
    form = _version_form(
        lab.module,
        title="A changed title",
        summary="A changed summary",
        estimated_minutes="75",
        learning_outcomes="First outcome\nSecond outcome",
        gpc_domains=["GPC2", "GPC7"],
        body=BODY,
        changelog="Added a worked example about interpreters",
        addresses=[ticked],
        action="preview",
    )
    response = client.post(url, data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    preview = _preview_section(page)
    assert "<h2>Worked example</h2>" in preview and "<strong>who else</strong>" in preview
    assert '<a href="https://www.nhs.uk/" rel="noopener noreferrer">a good one</a>' in preview
    # Raw HTML stays text and a script link is not a link: no tag can run anything.
    for unsafe in ("<script", "<img", 'href="javascript'):
        assert unsafe not in preview, unsafe
    # Every value typed is in the form again, to carry on editing or publish.
    assert 'value="A changed title"' in page
    assert ">A changed summary</textarea>" in page
    assert 'value="75"' in page
    assert "First outcome\nSecond outcome</textarea>" in page
    checked = set(re.findall(r'value="(GPC\d)" checked', page))
    assert checked == {"GPC2", "GPC7"}
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page  # the body, as typed
    assert ">Added a worked example about interpreters</textarea>" in page
    assert f'value="{ticked}" checked' in page
    # Nothing was published and no feedback moved.
    db.session.expire_all()
    assert _versions() == before
    item = db.session.get(FeedbackItem, ticked)
    assert item is not None and item.status is FeedbackStatus.RECEIVED


def test_preview_shows_problems_without_refusing_and_skips_bad_content(client, lab) -> None:
    login(client, lab.educator)
    url = f"/modules/{lab.module.slug}/versions/new"
    before = _versions()
    # Other fields wrong: they are flagged, and the content is still previewed.
    response = client.post(url, data=_version_form(lab.module, title="", action="preview"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a title" in page and "<h2>New section</h2>" in _preview_section(page)
    # Content the version could not hold is not rendered: the message says why.
    too_long = _version_form(lab.module, body="x" * 100_001, action="preview")
    page = client.post(url, data=too_long).get_data(as_text=True)
    assert "Module content must be 100,000 characters or fewer" in page
    assert "No preview" in _preview_section(page)
    assert _versions() == before
