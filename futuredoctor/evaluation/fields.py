"""The building blocks of the package description: a field and a file (table).

Shared by ``schema`` (the participant-level and aggregate files) and ``lookups`` (the
reference tables), so each can stay small.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from futuredoctor.models import ProfessionalGroup

LIKERT_LABELS = {1: "Very low", 2: "Low", 3: "Moderate", 4: "High", 5: "Very high"}
UNKNOWN = "unknown"  # professional group or career stage not recorded
PROFESSIONAL_GROUPS = [g.value for g in ProfessionalGroup]
# Direct identifiers never leave; the pseudonym stands in for one. Quasi-identifiers are
# the fields that could single someone out in combination (checked by k-anonymity).
DISCLOSURE = {
    "participant_id": "identifier (pseudonym)",
    "cohort": "quasi-identifier",
    "professional_group": "quasi-identifier",
    "career_stage": "quasi-identifier",
    "enrolled_on": "quasi-identifier",
    "withdrawn_on": "quasi-identifier",
    "consent_given_on": "quasi-identifier",
}


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Table Schema type: string, integer, date, datetime, boolean
    description: str
    required: bool = False
    enum: list[Any] | None = None
    likert: bool = False
    free_text: bool = False  # only in packages where the evaluator chose this field
    pattern: str | None = None
    redaction_flag: bool = False  # present whenever any of the table's free text is
    kind: str = ""  # "identifier", "quasi-identifier", "free text" or "" (none of these)

    def table_schema(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"name": self.name, "type": self.type}
        spec["description"] = self.description
        if self.disclosure:
            spec["disclosure"] = self.disclosure
        if self.type == "datetime":
            spec["format"] = "default"  # ISO 8601 in UTC, e.g. 2026-11-23T09:00:00Z
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.likert:
            constraints["enum"] = list(LIKERT_LABELS)
            spec["categories"] = [{"value": v, "label": t} for v, t in LIKERT_LABELS.items()]
            spec["categoriesOrdered"] = True
        elif self.enum is not None:
            constraints["enum"] = self.enum
        if self.pattern:
            constraints["pattern"] = self.pattern
        if constraints:
            spec["constraints"] = constraints
        return spec

    @property
    def disclosure(self) -> str:
        """How the field could help identify someone, for the disclosure reviewer."""
        return self.kind or DISCLOSURE.get(self.name, "")

    def allowed_values(self) -> str:
        if self.likert:
            return "; ".join(f"{v} = {t}" for v, t in LIKERT_LABELS.items())
        if self.enum is not None:
            return ", ".join(str(v) for v in self.enum)
        return ""


@dataclass(frozen=True)
class Table:
    name: str  # the file name without .csv
    title: str
    description: str
    fields: list[Field]
    primary_key: list[str]
    foreign_keys: list[tuple[list[str], str, list[str]]] = field(default_factory=list)
    missing_values: list[str] = field(default_factory=lambda: [""])
    aggregate: bool = False  # in aggregate packages (only); the rest in participant-level ones
    lookup: bool = False  # reference data: in every package

    @property
    def path(self) -> str:
        return f"{self.name}.csv"

    def free_text_keys(self) -> list[str]:
        """``table.field`` for each free-text field, as the evaluator chooses them."""
        return [f"{self.name}.{f.name}" for f in self.fields if f.free_text]

    def fields_for(self, free_text: Collection[str] | bool) -> list[Field]:
        """The fields in a package with the chosen free-text fields (``True``: all)."""
        chosen = set(self.free_text_keys()) if free_text is True else set(free_text or ())
        any_text = bool(chosen & set(self.free_text_keys()))
        return [
            f
            for f in self.fields
            if (not f.free_text and not f.redaction_flag)
            or (f.free_text and f"{self.name}.{f.name}" in chosen)
            or (f.redaction_flag and any_text)
        ]

    def positions(self, free_text: Collection[str] | bool) -> list[int]:
        """Where the chosen fields sit in a full row (every field, in order)."""
        chosen = {f.name for f in self.fields_for(free_text)}
        return [i for i, f in enumerate(self.fields) if f.name in chosen]


