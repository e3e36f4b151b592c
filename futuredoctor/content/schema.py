"""The shape of every content file, as strict pydantic models.

Models are strict (no "75" for 75, no number for a title) and forbid unknown keys, so a
typo such as ``capasity`` is reported instead of silently ignored. Checks that need to
know about other files (the folder name, the known GPC codes) read them from the
validation context that ``check.py`` passes in.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from futuredoctor.date_input import EARLIEST_YEAR, LATEST_YEAR, YEAR_RANGE
from futuredoctor.models.user import CAREER_STAGES, ProfessionalGroup
from futuredoctor.typed_text import BIDI_CONTROLS, text_problem

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
DELIVERY_MODES = ("online", "workshop", "blended", "workplace")
PROFESSIONAL_GROUPS = tuple(group.value for group in ProfessionalGroup)



def _one_line(value: str) -> str:
    """Titles and names end up in email subjects and one-line displays."""
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    if BIDI_CONTROLS.search(value):
        raise ValueError("must not contain right-to-left override or embedding characters")
    return value


def _typed_text(value: str) -> str:
    problem = text_problem(value, multi_line=True)
    if problem:
        raise ValueError(problem)
    return value


def _supported_year(value: date) -> date:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"must be in a year {YEAR_RANGE}")
    return value


Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_typed_text)
]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_one_line),
]
Day = Annotated[date, AfterValidator(_supported_year)]


def _known_domain(code: str, info: ValidationInfo) -> str:
    known = (info.context or {}).get("domain_codes")
    if known is not None and code not in known:
        raise ValueError(f"unknown GPC domain {code!r} (known: {', '.join(sorted(known))})")
    return code


def _known_group(value: str) -> str:
    if value not in PROFESSIONAL_GROUPS:
        choices = ", ".join(PROFESSIONAL_GROUPS)
        raise ValueError(f"unknown professional group {value!r} (use {choices})")
    return value


def _known_stage(value: str) -> str:
    if value not in CAREER_STAGES:
        raise ValueError(f"unknown career stage {value!r} (use {', '.join(CAREER_STAGES)})")
    return value


def _no_duplicates(values: list[str]) -> list[str]:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{value!r} is listed more than once")
        seen.add(value)
    return values


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ModuleFrontMatter(_Strict):
    """The YAML front matter of ``modules_content/<slug>/module.md``."""

    slug: Slug
    title: Name
    summary: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
        AfterValidator(_typed_text),
    ]
    estimated_minutes: Annotated[int, Field(ge=5, le=480)]
    delivery_mode: Literal["online", "workshop", "blended", "workplace"]
    learning_outcomes: Annotated[list[Text], Field(min_length=1)]
    gpc_domains: Annotated[
        list[Annotated[str, AfterValidator(_known_domain)]],
        Field(min_length=1),
        AfterValidator(_no_duplicates),
    ]
    version: Annotated[int, Field(ge=1)]
    changelog: Annotated[str, AfterValidator(_typed_text)]
    # Feedback item ids this version acts on; sync links them and marks them done.
    addresses_feedback: Annotated[
        list[Annotated[int, Field(ge=1)]], AfterValidator(_no_duplicates)
    ] = []

    @field_validator("slug")
    @classmethod
    def _slug_is_folder(cls, slug: str, info: ValidationInfo) -> str:
        folder = (info.context or {}).get("folder")
        if folder is not None and slug != folder:
            raise ValueError(f"slug {slug!r} does not match its folder name {folder!r}")
        return slug


class CohortSpec(_Strict):
    """One ``[[pilots.cohorts]]`` table of a region file."""

    slug: Slug
    name: Name
    capacity: Annotated[int, Field(gt=0)]
    enrolment_opens: Day
    enrolment_closes: Day
    starts_on: Day
    ends_on: Day
    professional_groups: Annotated[
        list[Annotated[str, AfterValidator(_known_group)]], AfterValidator(_no_duplicates)
    ]
    career_stages: Annotated[
        list[Annotated[str, AfterValidator(_known_stage)]], AfterValidator(_no_duplicates)
    ]

    @field_validator("enrolment_closes")
    @classmethod
    def _closes_after_opening(cls, closes: date, info: ValidationInfo) -> date:
        opens = info.data.get("enrolment_opens")
        if opens is not None and closes < opens:
            raise ValueError(f"enrolment closes ({closes}) before it opens ({opens})")
        return closes

    @field_validator("ends_on")
    @classmethod
    def _ends_after_start(cls, ends_on: date, info: ValidationInfo) -> date:
        starts_on = info.data.get("starts_on")
        if starts_on is not None and ends_on < starts_on:
            raise ValueError(f"cohort ends ({ends_on}) before it starts ({starts_on})")
        return ends_on


class PilotSpec(_Strict):
    """One ``[[pilots]]`` table of a region file."""

    slug: Slug
    name: Name
    summary: Text
    start_date: Day
    cohorts: list[CohortSpec] = []


class RegionSpec(_Strict):
    """A whole ``regions/<name>.toml`` file."""

    code: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,5}$")]
    name: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
        AfterValidator(_one_line),
    ]
    priorities: list[Text]
    pilots: Annotated[list[PilotSpec], Field(min_length=1)]


class DomainSpec(_Strict):
    """One domain of a capability framework, such as GPC5."""

    code: Annotated[str, StringConstraints(pattern=r"^[A-Z]+[0-9]+$", max_length=16)]
    title: Name
    description: Text
    position: Annotated[int, Field(ge=1)]


class FrameworkSpec(_Strict):
    """A capability framework file in ``futuredoctor/content/frameworks/``."""

    code: Annotated[str, StringConstraints(pattern=r"^[A-Z]+$", max_length=16)]
    name: Name
    publisher: Name
    domains: Annotated[list[DomainSpec], Field(min_length=1)]

    @field_validator("domains")
    @classmethod
    def _unique_domains(cls, domains: list[DomainSpec]) -> list[DomainSpec]:
        _no_duplicates([domain.code for domain in domains])
        _no_duplicates([str(domain.position) for domain in domains])
        return domains
