"""What each file in the evaluation package holds: one definition per field.

The Table Schemas in ``datapackage.json``, the README codebook, the data dictionary page and
``docs/data-dictionary.md`` are all generated from these definitions, so they cannot drift
apart. Free-text fields are left out of a package unless the evaluator asks for them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from futuredoctor.models import CAREER_STAGES, FeedbackSource, FeedbackStatus, ProfessionalGroup

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


PSEUDONYM = Field(
    "participant_id",
    "string",
    "Study pseudonym: HMAC-SHA256 of the participant's account id under the study secret. "
    "Stable across this study's exports; meaningless outside it.",
    required=True,
    pattern="^[0-9a-f]{64}$",
)


def _pseudonym(required: bool, note: str = "") -> Field:
    return Field(
        PSEUDONYM.name, "string", PSEUDONYM.description + note, required, pattern=PSEUDONYM.pattern
    )


def _cohort(required: bool, note: str = "") -> Field:
    return Field("cohort", "string", "Cohort identifier (slug)." + note, required)



def _redacted(what: str) -> Field:
    return Field(
        "redacted",
        "boolean",
        f"True when identifiers in {what} were replaced by placeholders ([EMAIL], [PHONE], "
        "[GMC], [NMC], [GPHC], [HCPC], [NHS NUMBER], [POSTCODE], [NAME]) before export.",
        True,
        redaction_flag=True,
    )

PARTICIPANTS = Table(
    "participants",
    "Participants",
    "One row per enrolment of a participant whose research consent is current at export time.",
    [
        _pseudonym(True),
        Field("region", "string", "NHS England region code of the cohort's pilot.", True),
        Field("pilot", "string", "Pilot identifier (slug).", True),
        _cohort(True),
        Field(
            "professional_group",
            "string",
            "Professional group as recorded on the account.",
            True,
            enum=[*PROFESSIONAL_GROUPS, UNKNOWN],
        ),
        Field(
            "career_stage",
            "string",
            "Career stage as recorded on the account (LED = locally employed doctor).",
            True,
            enum=[*CAREER_STAGES, UNKNOWN],
        ),
        Field(
            "enrolment_status",
            "string",
            "Status of the enrolment at export time.",
            True,
            enum=["invited", "enrolled", "waitlisted", "withdrawn"],
        ),
        Field("enrolled_on", "date", "Date (UK) the place in the cohort was confirmed."),
        Field("withdrawn_on", "date", "Date (UK) the participant withdrew from the cohort."),
        Field(
            "consent_version",
            "integer",
            "Version of the research consent statement currently agreed to.",
            True,
        ),
        Field("consent_given_on", "date", "Date (UK) of the current research consent.", True),
    ],
    ["participant_id", "cohort"],
)

MODULES = Table(
    "modules",
    "Module versions",
    "Every published version of every module, with its GPC mapping and changelog.",
    [
        Field("module_version_id", "integer", "Identifier of the module version.", True),
        Field("module", "string", "Module identifier (slug), stable across versions.", True),
        Field("version", "integer", "Version number within the module (1 = first).", True),
        Field("title", "string", "Title of this version.", True),
        Field("published_at", "datetime", "When this version was published (UTC).", True),
        Field("estimated_minutes", "integer", "Estimated time to complete, in minutes.", True),
        Field("delivery_mode", "string", "How the module is delivered (e.g. online).", True),
        Field(
            "gpc_domains",
            "string",
            "GMC Generic Professional Capabilities domains this version maps to, "
            "separated by semicolons (e.g. GPC1;GPC5).",
        ),
        Field("changelog", "string", "What changed in this version, as published."),
    ],
    ["module_version_id"],
)

RELEASES = Table(
    "releases",
    "Releases",
    "Module versions released (or scheduled, or withdrawn) to cohorts in the export scope.",
    [
        Field("release_id", "integer", "Identifier of the release.", True),
        Field("module_version_id", "integer", "The version released (see modules.csv).", True),
        Field("module", "string", "Module identifier (slug).", True),
        Field("version", "integer", "Version number released.", True),
        Field("region", "string", "Region code of the cohort's pilot.", True),
        Field("pilot", "string", "Pilot identifier (slug).", True),
        _cohort(True),
        Field("release_at", "datetime", "When the version is or was released (UTC).", True),
        Field("status", "string", "Release status.", True, enum=["scheduled", "withdrawn"]),
        Field("withdrawn_at", "datetime", "When the release was withdrawn (UTC)."),
    ],
    ["release_id"],
    [(["module_version_id"], "modules", ["module_version_id"])],
)

PROGRESS = Table(
    "progress",
    "Progress",
    "A participant's progress through a release, where they started or completed it within "
    "the date range. Private reflections are never exported.",
    [
        _pseudonym(True),
        _cohort(True),
        Field("release_id", "integer", "The release (see releases.csv).", True),
        Field("module_version_id", "integer", "The version taken (see modules.csv).", True),
        Field("started_at", "datetime", "When the participant started (UTC)."),
        Field("completed_at", "datetime", "When the participant completed it (UTC)."),
    ],
    ["participant_id", "cohort", "release_id"],
    [
        (["participant_id", "cohort"], "participants", ["participant_id", "cohort"]),
        (["release_id"], "releases", ["release_id"]),
        (["module_version_id"], "modules", ["module_version_id"]),
    ],
)

_EMPTY_FOR_SESSIONS = (
    " Empty for feedback from a co-design session, educator or member of the public."
)

FEEDBACK = Table(
    "feedback",
    "Feedback",
    "Feedback items given within the date range: Likert ratings (1–5) about a module version, "
    "and the version that acted on them.",
    [
        Field("feedback_id", "integer", "Identifier of the feedback item.", True),
        Field("module_version_id", "integer", "The version the feedback is about.", True),
        Field(
            "source",
            "string",
            "Who gave it.",
            True,
            enum=[s.value for s in FeedbackSource],
        ),
        _pseudonym(False, _EMPTY_FOR_SESSIONS),
        _cohort(False, _EMPTY_FOR_SESSIONS),
        Field("codesign_session_id", "integer", "The co-design session it came from, if any."),
        Field(
            "relevance", "integer", "How relevant the module was to practice (1–5).", likert=True
        ),
        Field("quality", "integer", "Quality of the module (1–5).", likert=True),
        Field("applicability", "integer", "How applicable the learning is (1–5).", likert=True),
        Field(
            "status",
            "string",
            "Where the item is in the living-lab loop at export time.",
            True,
            enum=[s.value for s in FeedbackStatus],
        ),
        Field("addressed_by_version_id", "integer", "The version that acted on it, if any."),
        Field("tags", "string", "Themes educators tagged it with, separated by semicolons."),
        Field("created_at", "datetime", "When the feedback was given (UTC).", True),
        Field(
            "text",
            "string",
            "The feedback in the giver's words.",
            free_text=True,
            kind="free text",
        ),
        Field(
            "status_reason",
            "string",
            "Educators' reason (e.g. for declining).",
            free_text=True,
            kind="free text",
        ),
        _redacted("this row's free text"),
    ],
    ["feedback_id"],
    [
        (["module_version_id"], "modules", ["module_version_id"]),
        (["addressed_by_version_id"], "modules", ["module_version_id"]),
        (["participant_id", "cohort"], "participants", ["participant_id", "cohort"]),
        (["codesign_session_id"], "sessions", ["session_id"]),
    ],
)

ACTIONS = Table(
    "actions",
    "Actions on feedback",
    "The dated status history of each feedback item in feedback.csv: feedback item → status "
    "changes → the version that acted on it.",
    [
        Field("action_id", "integer", "Identifier of the status change.", True),
        Field("feedback_id", "integer", "The feedback item (see feedback.csv).", True),
        Field(
            "step", "integer", "Position of this change in the item's history (1 = first).", True
        ),
        Field(
            "status",
            "string",
            "Status the item moved to.",
            True,
            enum=[s.value for s in FeedbackStatus],
        ),
        Field("changed_at", "datetime", "When the status changed (UTC).", True),
        Field("module_version_id", "integer", "The version the feedback was about.", True),
        Field("addressed_by_version_id", "integer", "The version that acted on the item, if any."),
        Field(
            "note", "string", "Educators' note on the change.", free_text=True, kind="free text"
        ),
        _redacted("the note"),
    ],
    ["action_id"],
    [
        (["feedback_id"], "feedback", ["feedback_id"]),
        (["module_version_id"], "modules", ["module_version_id"]),
        (["addressed_by_version_id"], "modules", ["module_version_id"]),
    ],
)

SESSIONS = Table(
    "sessions",
    "Co-design sessions",
    "Living-lab co-design sessions held in the date range (and any session that feedback in "
    "feedback.csv came from), with attendee counts by kind.",
    [
        Field("session_id", "integer", "Identifier of the session.", True),
        Field("region", "string", "Region code of the pilot.", True),
        Field("pilot", "string", "Pilot identifier (slug).", True),
        Field("held_on", "date", "Date the session was held.", True),
        Field("title", "string", "Title of the session.", True),
        Field("participants_count", "integer", "Pilot participants attending.", True),
        Field("educators_count", "integer", "Educators attending.", True),
        Field(
            "patients_public_count",
            "integer",
            "Patients and members of the public attending.",
            True,
        ),
        Field("other_professionals_count", "integer", "Other professionals attending.", True),
        Field("notes", "string", "The session notes.", free_text=True, kind="free text"),
        _redacted("the notes"),
    ],
    ["session_id"],
)

ALL = "all"  # the margin: every professional group, or every career stage
NOT_APPLICABLE = "not_applicable"  # feedback not given by a participant
MEASURES = {
    "enrolled_all": "Places confirmed in the quarter, everyone (consenting or not).",
    "enrolled_consenting": "Places confirmed in the quarter, research consent current.",
    "completions_consenting": "Module completions in the quarter by consenting participants.",
    "feedback_all": "Feedback items given in the quarter, everyone (consenting or not, "
    "and co-design sessions, educators and the public).",
    "feedback_consenting": "Feedback items given in the quarter that participant-level "
    "packages include (consenting participants, and feedback not from a participant).",
}

AGGREGATES = Table(
    "aggregates",
    "Aggregate counts",
    "Counts per calendar quarter (UK time; only quarters that have ended) × pilot × measure, "
    "by professional group (career_stage = all), by career stage (professional_group = all) "
    "and in total (both all). Small numbers are suppressed, with secondary suppression so "
    "that the total minus the visible cells never reveals a hidden one. Safe to publish.",
    [
        Field("period", "string", "Calendar quarter, e.g. 2026-Q3.", True),
        Field("period_start", "date", "First day of the quarter (UK date).", True),
        Field("period_end", "date", "Last day of the quarter (UK date).", True),
        Field("region", "string", "Region code of the pilot.", True),
        Field("pilot", "string", "Pilot identifier (slug).", True),
        Field("measure", "string", "What is counted.", True, enum=list(MEASURES)),
        Field(
            "professional_group",
            "string",
            "Professional group, or all.",
            True,
            enum=[*PROFESSIONAL_GROUPS, UNKNOWN, NOT_APPLICABLE, ALL],
        ),
        Field(
            "career_stage",
            "string",
            "Career stage, or all.",
            True,
            enum=[*CAREER_STAGES, UNKNOWN, NOT_APPLICABLE, ALL],
        ),
        Field(
            "count",
            "integer",
            "The count; empty when suppressed (see suppressed). Counts of 1 to 7 are "
            "suppressed, and further cells where needed to protect them.",
        ),
        Field("suppressed", "boolean", "True when the count is withheld.", True),
    ],
    ["period", "pilot", "measure", "professional_group", "career_stage"],
    aggregate=True,
)

TABLES: list[Table] = [
    PARTICIPANTS,
    MODULES,
    RELEASES,
    PROGRESS,
    SESSIONS,
    FEEDBACK,
    ACTIONS,
    AGGREGATES,
]
TABLES_BY_FILE = {t.path: t for t in TABLES}
FREE_TEXT_FIELDS = {key: t for t in TABLES for key in t.free_text_keys()}
FREE_TEXT_LABELS = {
    "feedback.text": "Feedback in the giver's words (feedback.csv: text)",
    "feedback.status_reason": "Educators' reasons (feedback.csv: status_reason)",
    "actions.note": "Educators' notes on status changes (actions.csv: note)",
    "sessions.notes": "Co-design session notes (sessions.csv: notes)",
}
