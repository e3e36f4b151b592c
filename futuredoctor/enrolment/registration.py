"""Who may join a cohort, and what a valid professional registration looks like.

Shared by the CSV import, the single-person enrolment form and the public request to join,
so every route into a cohort applies the same rules with the same wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from futuredoctor.models import CAREER_STAGES, Cohort, ProfessionalGroup
from futuredoctor.models.user import GROUPS_WITH_TRAINING_GRADES, STAGE_NOT_APPLICABLE
from futuredoctor.typed_text import ascii_digits

GROUP_LABELS = {
    ProfessionalGroup.DOCTOR.value: "Doctor",
    ProfessionalGroup.NURSE.value: "Nurse",
    ProfessionalGroup.MIDWIFE.value: "Midwife",
    ProfessionalGroup.PHARMACIST.value: "Pharmacist",
    ProfessionalGroup.ALLIED_HEALTH.value: "Allied health professional",
    ProfessionalGroup.OTHER.value: "Other",
}

# body code -> (pattern, how to describe the format to a person)
BODIES: dict[str, tuple[re.Pattern[str], str]] = {
    "GMC": (re.compile(r"[0-9]{7}"), "7 digits, like 7123456"),
    "NMC": (
        re.compile(r"[0-9]{2}[A-Z][0-9]{4}[A-Z]"),
        "2 digits, a letter, 4 digits and a letter, like 12A3456E",
    ),
    "GPhC": (re.compile(r"[0-9]{7}"), "7 digits, like 2087654"),
    "HCPC": (re.compile(r"[A-Z]{2}[0-9]{4,6}"), "2 letters then digits, like PA123456"),
}
BODY_NAMES = {
    "GMC": "General Medical Council (GMC)",
    "NMC": "Nursing and Midwifery Council (NMC)",
    "GPhC": "General Pharmaceutical Council (GPhC)",
    "HCPC": "Health and Care Professions Council (HCPC)",
}
# Which regulator each professional group registers with; "other" may have any or none.
GROUP_BODIES: dict[str, tuple[str, ...]] = {
    "doctor": ("GMC",),
    "nurse": ("NMC",),
    "midwife": ("NMC",),
    "pharmacist": ("GPhC",),
    "allied_health": ("HCPC",),
    "other": ("GMC", "NMC", "GPhC", "HCPC"),
}
_BODY_BY_KEY = {code.lower(): code for code in BODIES}
_STAGE_BY_KEY = {stage.lower(): stage for stage in CAREER_STAGES}
_GROUP_BY_KEY = {
    **{value: value for value in GROUP_LABELS},
    **{label.lower(): value for value, label in GROUP_LABELS.items()},
    "allied health": "allied_health",
    "allied-health": "allied_health",
}
# Job titles people write in a roster, mapped to their professional group. Compared after
# lower-casing, turning - and _ into spaces and dropping a plural "s".
PROFESSIONS: dict[str, str] = {
    **{
        name: "doctor"
        for name in (
            "doctor", "physician", "gp", "general practitioner", "surgeon", "medic",
            "foundation doctor", "resident doctor", "junior doctor", "trainee doctor",
        )
    },
    **{
        name: "nurse"
        for name in (
            "nurse", "registered nurse", "rn", "staff nurse", "nurse practitioner",
            "advanced nurse practitioner", "district nurse", "practice nurse",
            "mental health nurse", "learning disability nurse", "children's nurse",
        )
    },
    **{name: "midwife" for name in ("midwife", "midwive", "registered midwife")},
    **{
        name: "pharmacist"
        for name in ("pharmacist", "clinical pharmacist", "community pharmacist")
    },
    **{
        name: "allied_health"
        for name in (
            "ahp", "allied health professional", "paramedic", "physiotherapist", "physio",
            "occupational therapist", "ot", "radiographer", "diagnostic radiographer",
            "therapeutic radiographer", "dietitian", "dietician", "speech and language therapist",
            "salt", "podiatrist", "chiropodist", "orthoptist", "prosthetist", "orthotist",
            "prosthetist and orthotist", "operating department practitioner", "odp",
            "art therapist", "drama therapist", "music therapist", "osteopath",
            "clinical scientist", "biomedical scientist", "hearing aid dispenser",
            "practitioner psychologist",
        )
    },
}


def normalise_group(raw: str) -> str | None:
    """The group's code from its code, its label or a common job title ("Paramedic",
    "physiotherapists", "Occupational therapist" are allied health)."""
    key = raw.strip().lower()
    if key in _GROUP_BY_KEY:
        return _GROUP_BY_KEY[key]
    key = " ".join(key.replace("-", " ").replace("_", " ").split())
    return PROFESSIONS.get(key) or (PROFESSIONS.get(key[:-1]) if key.endswith("s") else None)


def needs_career_stage(group: str | None) -> bool:
    """Doctors must give their training grade; other groups may leave it blank."""
    return group is None or group in GROUPS_WITH_TRAINING_GRADES


def normalise_body(raw: str) -> str | None:
    return _BODY_BY_KEY.get(raw.strip().lower())


def normalise_stage(raw: str) -> str | None:
    key = raw.strip().lower()
    if key in {"not applicable", "not_applicable", "n/a", "na"}:
        return STAGE_NOT_APPLICABLE
    return _STAGE_BY_KEY.get(key)


def stage_to_store(group: str | None, stage: str | None) -> str | None:
    """A blank career stage is stored as "not applicable" for groups without training
    grades, so the record says it was left out on purpose rather than forgotten."""
    if stage is None and group is not None and not needs_career_stage(group):
        return STAGE_NOT_APPLICABLE
    return stage


def normalise_number(raw: str) -> str:
    """Registration numbers are compared and stored without spaces, in capitals and in
    ASCII: "７１２３４５６" and "٧١٢٣٤٥٦" are the GMC number 7123456, so they match it (and
    are refused as a duplicate of it) rather than passing as a different number."""
    return re.sub(r"\s+", "", ascii_digits(raw)).upper()


def group_label(value: str | None) -> str:
    return GROUP_LABELS.get(value or "", value or "")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a person's details, named by the field it belongs to."""

    field: str
    message: str


def registration_problems(group: str | None, body: str | None, number: str) -> list[Problem]:
    """Check the body fits the professional group and the number fits the body.

    ``body`` is already normalised (None when blank or unknown: ``body_raw`` decides which).
    """
    problems: list[Problem] = []
    if group is None:
        return problems
    allowed = GROUP_BODIES[group]
    if body is None:
        if group != "other":
            problems.append(
                Problem("registration_body", f"Enter the registration body: {allowed[0]}")
            )
        elif number:
            problems.append(
                Problem("registration_body", "Enter the body that issued the registration number")
            )
        return problems
    if body not in allowed:
        problems.append(
            Problem(
                "registration_body",
                f"{group_label(group)}s register with the {allowed[0]}, not the {body}",
            )
        )
        return problems
    if not number:
        problems.append(Problem("registration_number", f"Enter the {body} registration number"))
    elif not BODIES[body][0].fullmatch(number):
        problems.append(
            Problem(
                "registration_number",
                f"{body} registration number must be {BODIES[body][1]}",
            )
        )
    return problems


def eligibility_problems(cohort: Cohort, group: str | None, stage: str | None) -> list[Problem]:
    """Whether the cohort is open to this professional group and career stage."""
    problems: list[Problem] = []
    groups = cohort.eligible_professional_groups or []
    stages = cohort.eligible_career_stages or []
    if group is not None and groups and group not in groups:
        allowed = ", ".join(group_label(g).lower() for g in groups)
        problems.append(Problem("professional_group", f"{cohort.name} is open to: {allowed}"))
    # A cohort lists training grades; people without one ("not applicable") are judged by
    # their professional group alone, so a nurse may join a cohort open to FY1 and FY2.
    if stage is not None and stage != STAGE_NOT_APPLICABLE and stages and stage not in stages:
        problems.append(
            Problem("career_stage", f"{cohort.name} is open to career stages: {', '.join(stages)}")
        )
    return problems


