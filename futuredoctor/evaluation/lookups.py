"""Reference tables in every package, so questions need no outside knowledge: GPC domains,
regions, pilots, cohorts, module version × domain (one row each, instead of a list in a
cell), consent statements, delivery modes and feedback tags.

None of them is about a person. Regions and pilots are listed whether or not they had any
activity, so "no activity" and "not in scope" can be told apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from futuredoctor.evaluation.fields import Field, Table
from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    ConsentStatement,
    FeedbackTag,
    Framework,
    FrameworkDomain,
    Pilot,
    Region,
    module_version_domain,
)

DELIVERY_MODES = {
    "online": "Online, self-paced",
    "workshop": "Face-to-face or live online workshop",
    "blended": "Online learning with a workshop",
    "workplace": "Learning in the workplace",
}
Row = tuple[Any, ...]


def _rows(stmt: sa.Select[Any]) -> Iterator[Row]:
    return (tuple(r) for r in db.session.execute(stmt))


def gpc_domains(scope: Any, secret: bytes) -> Iterator[Row]:
    stmt = (
        sa.select(FrameworkDomain.code, FrameworkDomain.title)
        .join(Framework, Framework.id == FrameworkDomain.framework_id)
        .where(Framework.code == "GPC")
        .order_by(FrameworkDomain.position)
    )
    return _rows(stmt)


def regions(scope: Any, secret: bytes) -> Iterator[Row]:
    return _rows(sa.select(Region.code, Region.name).order_by(Region.code))


def pilots(scope: Any, secret: bytes) -> Iterator[Row]:
    stmt = (
        sa.select(Pilot.slug, Region.code, Pilot.name)
        .join(Region, Region.id == Pilot.region_id)
        .order_by(Pilot.slug)
    )
    return _rows(stmt)


def cohorts(scope: Any, secret: bytes) -> Iterator[Row]:
    stmt = (
        sa.select(
            Cohort.slug,
            Pilot.slug,
            Region.code,
            Cohort.name,
            Cohort.capacity,
            Cohort.starts_on,
            Cohort.ends_on,
        )
        .join(Pilot, Pilot.id == Cohort.pilot_id)
        .join(Region, Region.id == Pilot.region_id)
        .where(Cohort.pilot_id.in_(scope.pilot_ids()))
        .order_by(Cohort.slug)
    )
    for r in db.session.execute(stmt):
        yield (*r[:5], r[5].isoformat(), r[6].isoformat())


def module_domains(scope: Any, secret: bytes) -> Iterator[Row]:
    stmt = (
        sa.select(module_version_domain.c.module_version_id, FrameworkDomain.code)
        .join(FrameworkDomain, FrameworkDomain.id == module_version_domain.c.domain_id)
        .order_by(module_version_domain.c.module_version_id, FrameworkDomain.position)
    )
    return _rows(stmt)


def consent_statements(scope: Any, secret: bytes) -> Iterator[Row]:
    return _rows(sa.select(ConsentStatement.version, ConsentStatement.body).order_by("version"))


def delivery_modes(scope: Any, secret: bytes) -> Iterator[Row]:
    return iter(DELIVERY_MODES.items())


def tags(scope: Any, secret: bytes) -> Iterator[Row]:
    return _rows(sa.select(FeedbackTag.name).order_by(FeedbackTag.name))


LOOKUP_TABLES: list[Table] = [
    Table(
        "gpc_domains",
        "GPC domains",
        "The GMC Generic Professional Capabilities domains modules are mapped to.",
        [
            Field("domain", "string", "Domain code, e.g. GPC1.", True),
            Field("name", "string", "Domain name.", True),
        ],
        ["domain"],
        lookup=True,
    ),
    Table(
        "regions",
        "Regions",
        "Every NHS England region on the platform, with or without activity.",
        [
            Field("region", "string", "Region code.", True),
            Field("name", "string", "Region name.", True),
        ],
        ["region"],
        lookup=True,
    ),
    Table(
        "pilots",
        "Pilots",
        "Every pilot on the platform and its region.",
        [
            Field("pilot", "string", "Pilot identifier (slug).", True),
            Field("region", "string", "Region code.", True),
            Field("name", "string", "Pilot name.", True),
        ],
        ["pilot"],
        [(["region"], "regions", ["region"])],
        lookup=True,
    ),
    Table(
        "cohorts",
        "Cohorts",
        "Cohorts of the pilots in the export scope: names, dates and capacity.",
        [
            Field("cohort", "string", "Cohort identifier (slug).", True),
            Field("pilot", "string", "Pilot identifier (slug).", True),
            Field("region", "string", "Region code.", True),
            Field("name", "string", "Cohort name.", True),
            Field("capacity", "integer", "Places in the cohort.", True),
            Field("starts_on", "date", "First day of the cohort (UK date).", True),
            Field("ends_on", "date", "Last day of the cohort (UK date).", True),
        ],
        ["cohort"],
        [(["pilot"], "pilots", ["pilot"])],
        lookup=True,
    ),
    Table(
        "module_domains",
        "Module version × GPC domain",
        "One row per module version and GPC domain it maps to.",
        [
            Field("module_version_id", "integer", "The module version (see modules.csv).", True),
            Field("domain", "string", "GPC domain code (see gpc_domains.csv).", True),
        ],
        ["module_version_id", "domain"],
        [(["domain"], "gpc_domains", ["domain"])],
        lookup=True,
    ),
    Table(
        "consent_statements",
        "Consent statements",
        "Every version of the research consent statement, in full.",
        [
            Field("consent_version", "integer", "Version number.", True),
            Field("text", "string", "The statement as participants read it.", True),
        ],
        ["consent_version"],
        lookup=True,
    ),
    Table(
        "delivery_modes",
        "Delivery modes",
        "How modules are delivered.",
        [
            Field("delivery_mode", "string", "Code used in modules.csv.", True),
            Field("description", "string", "What it means.", True),
        ],
        ["delivery_mode"],
        lookup=True,
    ),
    Table(
        "tags",
        "Feedback tags",
        "Every theme educators can tag feedback with.",
        [Field("tag", "string", "Tag name.", True)],
        ["tag"],
        lookup=True,
    ),
]

LOOKUP_ROWS = {
    "gpc_domains": gpc_domains,
    "regions": regions,
    "pilots": pilots,
    "cohorts": cohorts,
    "module_domains": module_domains,
    "consent_statements": consent_statements,
    "delivery_modes": delivery_modes,
    "tags": tags,
}
