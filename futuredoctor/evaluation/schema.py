"""What each file in the evaluation package holds: one definition per field.

The Table Schemas in ``datapackage.json``, the README codebook, the data dictionary page and
``docs/data-dictionary.md`` are all generated from these definitions, so they cannot drift
apart. Free-text fields are left out of a package unless the evaluator asks for them.
"""

from __future__ import annotations

from futuredoctor.evaluation.fields import (
    DISCLOSURE,
    LIKERT_LABELS,
    PROFESSIONAL_GROUPS,
    UNKNOWN,
    Field,
    Table,
)
from futuredoctor.evaluation.kanonymity_terms import BANDED_STAGES, OTHER_PROFESSIONS
from futuredoctor.evaluation.lookups import DELIVERY_MODES, LOOKUP_TABLES
from futuredoctor.models import CAREER_STAGES, FeedbackSource, FeedbackStatus

__all__ = ["DISCLOSURE", "LIKERT_LABELS", "PROFESSIONAL_GROUPS", "UNKNOWN", "Field", "Table"]

PSEUDONYM = Field(
    "participant_id",
    "string",
    "Project pseudonym: HMAC-SHA256 of the participant's account id under the evaluation "
    "project's key. Stable across this project's exports; unlinkable to other projects'.",
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
            "Professional group as recorded on the account (other_professions when the "
            "package had to combine them for k-anonymity; see README.md).",
            True,
            enum=[*PROFESSIONAL_GROUPS, UNKNOWN, OTHER_PROFESSIONS],
        ),
        Field(
            "career_stage",
            "string",
            "Career stage as recorded on the account (LED = locally employed doctor), or "
            "its band (foundation, core, specialty) when the package generalised it.",
            True,
            enum=[*CAREER_STAGES, *BANDED_STAGES, UNKNOWN],
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
        Field(
            "consent_given_on",
            "date",
            "Date (UK) of the current research consent (the first of the month, or empty, "
            "when the package generalised dates for k-anonymity).",
        ),
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
        Field(
            "delivery_mode",
            "string",
            "How the module is delivered (see delivery_modes.csv).",
            True,
            enum=list(DELIVERY_MODES),
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
        Field(
            "released_by_export",
            "boolean",
            "True when the version had reached the cohort by the time of export (released "
            "and not withdrawn before then).",
            True,
        ),
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
        Field("region", "string", "Region code of the cohort's pilot.", True),
        Field("pilot", "string", "Pilot identifier (slug).", True),
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
        Field("region", "string", "Region code of the pilot the feedback came from.", True),
        Field("pilot", "string", "Pilot the feedback came from (cohort's or session's).", True),
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
        Field("region", "string", "Region code of the feedback's pilot.", True),
        Field("pilot", "string", "Pilot the feedback came from.", True),
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

# The last two fields of every table of suppressed counts.
SUPPRESSED_COUNT = [
    Field(
        "count",
        "integer",
        "The count; empty when suppressed (see suppressed). Counts of 1 to 7 are "
        "suppressed, and further cells where needed to protect them.",
    ),
    Field("suppressed", "boolean", "True when the count is withheld.", True),
]

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
        *SUPPRESSED_COUNT,
    ],
    ["period", "pilot", "measure", "professional_group", "career_stage"],
    aggregate=True,
)

EDUCATOR_LEVELS = (1, 2, 3, 4, 5)
EDUCATOR_MEASURES = {
    "educators_by_level": "Educators by their level in a Clinician Educator Milestones domain "
    "(the mean of their latest self-assessment's ratings in the domain, rounded down); level "
    "all is everyone who rated themselves in the domain.",
    "active_mentoring_pairs": "Mentoring pairings active now whose mentee is in the region.",
}

EDUCATOR_DEVELOPMENT = Table(
    "educator_development",
    "Educator development",
    "Counts of people per region, as at the export: educators' self-assessed levels in each "
    "Clinician Educator Milestones domain, and active mentoring pairs. Educators count where "
    "they hold a staff role, or where they are enrolled with research consent current. Small "
    "numbers are suppressed as in aggregates.csv (levels add up to the domain's total). "
    "Safe to publish.",
    [
        Field("region", "string", "Region code.", True),
        Field("measure", "string", "What is counted.", True, enum=list(EDUCATOR_MEASURES)),
        Field("domain", "string", "Milestones domain code, or all.", True),
        Field(
            "level",
            "string",
            "Level 1 (novice) to 5 (mastery), or all.",
            True,
            enum=[*(str(level) for level in EDUCATOR_LEVELS), ALL],
        ),
        *SUPPRESSED_COUNT,
    ],
    ["region", "measure", "domain", "level"],
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
    EDUCATOR_DEVELOPMENT,
]
TABLES += LOOKUP_TABLES
TABLES_BY_FILE = {t.path: t for t in TABLES}
FREE_TEXT_FIELDS = {key: t for t in TABLES for key in t.free_text_keys()}
FREE_TEXT_LABELS = {
    "feedback.text": "Feedback in the giver's words (feedback.csv: text)",
    "feedback.status_reason": "Educators' reasons (feedback.csv: status_reason)",
    "actions.note": "Educators' notes on status changes (actions.csv: note)",
    "sessions.notes": "Co-design session notes (sessions.csv: notes)",
}
