"""The educator milestone framework file: its shape, and syncing it as versions.

A milestone file sits beside ``gpc.toml`` and says ``kind = "milestones"``. It is checked
with the other content (``flask content check``) and synced like a module: unchanged
content is left alone, changed content becomes a new version row, and self-assessments
keep the version they were made against.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal

import sqlalchemy as sa
from pydantic import Field, StringConstraints, field_validator
from sqlalchemy.orm import Session

from futuredoctor.content.schema import Name, Text, _no_duplicates, _Strict
from futuredoctor.models import MilestoneDomain, MilestoneFramework, Subcompetency

LEVEL_COUNT = 5
Code = Annotated[str, StringConstraints(pattern=r"^[A-Z]+[0-9]*$", max_length=16)]
Descriptor = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class LevelSpec(_Strict):
    number: Annotated[int, Field(ge=1, le=LEVEL_COUNT)]
    name: Name
    descriptor: Descriptor


class SubcompetencySpec(_Strict):
    code: Code
    title: Name
    description: Text
    levels: Annotated[list[Descriptor], Field(min_length=LEVEL_COUNT, max_length=LEVEL_COUNT)]


class MilestoneDomainSpec(_Strict):
    code: Code
    title: Name
    position: Annotated[int, Field(ge=1)]
    subcompetencies: Annotated[list[SubcompetencySpec], Field(min_length=1)]


class MilestoneFrameworkSpec(_Strict):
    """A whole milestone framework file."""

    kind: Literal["milestones"]
    code: Annotated[str, StringConstraints(pattern=r"^[A-Z]+$", max_length=16)]
    name: Name
    publisher: Name
    version: Annotated[int, Field(ge=1)]
    levels: Annotated[list[LevelSpec], Field(min_length=LEVEL_COUNT, max_length=LEVEL_COUNT)]
    domains: Annotated[list[MilestoneDomainSpec], Field(min_length=1)]

    @field_validator("levels")
    @classmethod
    def _levels_in_order(cls, levels: list[LevelSpec]) -> list[LevelSpec]:
        numbers = [level.number for level in levels]
        if numbers != list(range(1, LEVEL_COUNT + 1)):
            raise ValueError(f"levels must be numbered 1 to {LEVEL_COUNT}, in order")
        return levels

    @field_validator("domains")
    @classmethod
    def _unique_codes(cls, domains: list[MilestoneDomainSpec]) -> list[MilestoneDomainSpec]:
        _no_duplicates([domain.code for domain in domains])
        _no_duplicates([str(domain.position) for domain in domains])
        _no_duplicates([sub.code for domain in domains for sub in domain.subcompetencies])
        return domains


def milestone_hash(spec: MilestoneFrameworkSpec) -> str:
    """A fingerprint of the wording; the version number alone changes nothing."""
    data = spec.model_dump(mode="json", exclude={"version"})
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def sync_milestones(session: Session, spec: MilestoneFrameworkSpec) -> str | None:
    """Store the file as a new version if its wording changed; returns "CEM v2" or None."""
    digest = milestone_hash(spec)
    latest = session.scalars(
        sa.select(MilestoneFramework)
        .where(MilestoneFramework.code == spec.code)
        .order_by(MilestoneFramework.version.desc())
        .limit(1)
    ).first()
    if latest is not None and latest.content_hash == digest:
        return None
    number = spec.version if latest is None else max(spec.version, latest.version + 1)
    framework = MilestoneFramework(
        code=spec.code,
        version=number,
        name=spec.name,
        publisher=spec.publisher,
        levels=[level.model_dump() for level in spec.levels],
        content_hash=digest,
    )
    session.add(framework)
    for domain_spec in spec.domains:
        domain = MilestoneDomain(
            framework=framework,
            code=domain_spec.code,
            title=domain_spec.title,
            position=domain_spec.position,
        )
        session.add(domain)
        for position, sub in enumerate(domain_spec.subcompetencies, 1):
            session.add(
                Subcompetency(
                    domain=domain,
                    code=sub.code,
                    title=sub.title,
                    description=sub.description,
                    level_descriptors=list(sub.levels),
                    position=position,
                )
            )
    return f"{spec.code} v{number}"
