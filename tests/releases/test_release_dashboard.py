"""The region dashboard: counts, completion by module, the GPC heat map (SVG and table),
and a query count that does not grow with participants or modules."""

from __future__ import annotations

import csv
import io
import re

import sqlalchemy as sa

from futuredoctor.models import FrameworkDomain, Progress, Role, utcnow
from tests.factories import make_enrolment, make_module, make_release, make_user
from tests.helpers import login


def _text(response) -> str:
    return response.get_data(as_text=True)


def _words(html: str) -> str:
    """The text a screen reader reads from ``html``: tags dropped, a line break a space."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html.replace("<br>", " ")))


def _populate(db_session, cohorts, participants: int, modules: int) -> None:
    domain = db_session.scalar(sa.select(FrameworkDomain).where(FrameworkDomain.code == "GPC5"))
    releases = []
    for _ in range(modules):
        version = make_module().latest
        version.domains.append(domain)
        releases.append(make_release(version, cohorts["lon-current"], days_from_now=-2))
        make_release(version, cohorts["lon-next"], days_from_now=5)
    for i in range(participants):
        user = make_user(roles=[(Role.PARTICIPANT, None)])
        enrolment = make_enrolment(user, cohorts["lon-current"])
        if i % 2 == 0:
            db_session.add(
                Progress(
                    enrolment=enrolment,
                    release=releases[0],
                    started_at=utcnow(),
                    completed_at=utcnow(),
                )
            )
    db_session.commit()


def test_dashboard_shows_counts_completion_and_heat_map(lead_client, db_session, cohorts):
    _populate(db_session, cohorts, participants=4, modules=2)
    page = _text(lead_client.get("/regions/LON/dashboard"))
    assert "<h1>Region dashboard</h1>" in page
    assert 'role="img"' in page and '<title id="heatmap-title">' in page
    for n in range(1, 10):
        assert f">GPC{n}<" in page
    # GPC5: 2 released modules; 2 of 8 (participant, release) pairs completed = 25%.
    assert "2 modules, 25% completed (2 of 8)" in _words(page)
    # Completion by module: first module completed by 2 of 4.
    assert re.search(r">4</td>\s*<td[^>]*>2</td>\s*<td[^>]*>2</td>\s*<td[^>]*>50%", page)
    assert "Upcoming releases" in page


def test_dashboard_is_scoped_to_the_region(lead_client, client, db_session):
    assert lead_client.get("/regions/SW/dashboard").status_code == 404
    assert lead_client.get("/regions/LON/dashboard").status_code == 200


def test_lead_educator_has_no_region_dashboard(client, db_session, cohorts):
    educator = make_user(roles=[(Role.LEAD_EDUCATOR, cohorts["lon-current"].pilot)])
    db_session.commit()
    login(client, educator)
    assert client.get("/regions/LON/dashboard").status_code == 404


def test_dashboard_query_count_does_not_grow(lead_client, db_session, cohorts, count_queries):
    _populate(db_session, cohorts, participants=3, modules=2)
    with count_queries() as small:
        assert lead_client.get("/regions/LON/dashboard").status_code == 200
    _populate(db_session, cohorts, participants=30, modules=8)
    with count_queries() as large:
        assert lead_client.get("/regions/LON/dashboard").status_code == 200
    assert len(small) == len(large)


def test_dashboard_tables_download_as_csv(lead_client, db_session, cohorts):
    _populate(db_session, cohorts, participants=4, modules=2)
    page = _text(lead_client.get("/regions/LON/dashboard"))
    assert "/regions/LON/dashboard.csv?table=coverage" in page
    coverage = lead_client.get("/regions/LON/dashboard.csv?table=coverage")
    assert coverage.status_code == 200 and coverage.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(coverage.data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["pilot", "gpc_domain"]
    gpc5 = [r for r in rows[1:] if r[1] == "GPC5"]
    assert [r[3:] for r in gpc5] == [["2", "8", "2", "25"]]
    completion = lead_client.get("/regions/LON/dashboard.csv?table=completion")
    rows = list(csv.reader(io.StringIO(completion.data.decode("utf-8-sig"))))
    assert ["4", "2", "2", "50"] in [r[1:] for r in rows]
    assert lead_client.get("/regions/LON/dashboard.csv?table=nope").status_code == 404
    assert lead_client.get("/regions/SW/dashboard.csv").status_code == 404


def test_national_dashboard_lists_every_region_with_links(client, db_session, cohorts):
    _populate(db_session, cohorts, participants=4, modules=2)
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    db_session.commit()
    login(client, admin)
    page = _text(client.get("/national"))
    assert page.count('href="/regions/') >= 7 and 'href="/regions/LON/dashboard"' in page
    assert "/national" in _text(client.get("/"))
    london = page[page.index('href="/regions/LON/dashboard"') :].split("</tr>")[0]
    assert ">4</td>" in london  # enrolled in London's current cohort
    assert "25%" in london and "2 of 8" in london  # 2 completions of 4 people x 2 modules
    lead = make_user(roles=[(Role.REGIONAL_LEAD, cohorts["lon-current"].pilot.region)])
    db_session.commit()
    login(client, lead)
    assert client.get("/national").status_code == 403


def test_heat_map_by_cohort_and_completion_over_time(lead_client, db_session, cohorts):
    _populate(db_session, cohorts, participants=4, modules=2)
    page = _text(lead_client.get("/regions/LON/dashboard?by=cohort"))
    assert "GPC coverage by cohort" in page and "cohorts by GPC domain" in page
    current = cohorts["lon-current"]
    row = page.split(f">{current.name}<br>", 1)[1].split("</tr>", 1)[0]
    assert "2 modules, 25% completed (2 of 8)" in _words(row)
    assert "GPC coverage by pilot" in _text(lead_client.get("/regions/LON/dashboard"))

    # Completion over time: two completions this month, twelve UK months in the table.
    table = page.split('id="completion-by-month"', 1)[1].split("</table>", 1)[0]
    months = re.findall(r"<td class=\"nhsuk-table__cell\">([A-Z][a-z]{2} \d{4})</td>", table)
    assert len(months) == 12
    assert re.search(r">2</td></tr>\s*</tbody>", table)  # the last row is this month
    assert '<title id="trend-title">' in page


def test_gpc_table_names_each_code_and_says_when_nobody_is_enrolled(
    lead_client, db_session, cohorts
):
    _populate(db_session, cohorts, participants=0, modules=1)
    page = _text(lead_client.get("/regions/LON/dashboard"))
    table = page.split('id="gpc-table"', 1)[1].split("</table>", 1)[0]
    key = page.split("GPC domain codes", 1)[1].split("</dl>", 1)[0]
    for domain in db_session.scalars(sa.select(FrameworkDomain)):
        if domain.code.startswith("GPC"):
            # The heading shows the code; its full name is in the key and read out with it.
            assert f'<abbr title="{domain.title}">{domain.code}</abbr>' in table
            assert f"<dt>{domain.code}</dt><dd>{domain.title}</dd>" in key
    # Released, but nobody in the cohort yet: no percentage to show ("None%" before).
    assert "1 module, no participants yet" in _words(table)
    assert "None" not in page
