"""The codebook: every file and field explained, as Markdown, from the field definitions.

Used for the README in each package and for ``docs/data-dictionary.md`` (regenerate with
``flask evaluation data-dictionary``; a test fails when the file is out of date).
"""

from __future__ import annotations

from collections.abc import Collection

from futuredoctor.evaluation.schema import LIKERT_LABELS, TABLES, Table
from futuredoctor.evaluation.suppression import THRESHOLD

_LIKERT = "; ".join(f"{v} = {t}" for v, t in LIKERT_LABELS.items())

RULES = f"""\
## How the data is protected

- **Consent.** Only enrolments whose newest research consent record (at the moment the
  export started) says consent is given appear, in every file. Someone who withdraws
  consent is left out of every later export.
- **Pseudonyms.** `participant_id` is the HMAC-SHA256 of the participant's account id
  under the evaluation project's own key (derived from a secret held outside the
  database): the same person has the same pseudonym in every export of one project, and
  pseudonyms from two projects cannot be linked. `MANIFEST`, `README.md` and
  `datapackage.json` state the project and its key fingerprint. Participant-level
  packages are never keyed on the published development secret outside development.
- **Two kinds of package.** An *aggregate* package holds only suppressed counts; a
  *participant-level* package (for evaluators whose access records an approval, such as
  an ethics approval or data-sharing agreement) holds pseudonymised records and no
  aggregate counts, so small cells cannot be rebuilt from records in the same package.
- **No direct identifiers.** Names, email addresses, registration numbers, employers and
  private reflections are never exported.
- **Free text** (feedback text, educators' reasons and notes, co-design session notes) is
  included only when the evaluator asks for it, field by field; otherwise those columns
  are absent. Included text is de-identified first: email addresses, UK phone numbers,
  GMC, NMC, GPhC and HCPC registration numbers, NHS numbers (with a valid check digit),
  UK postcodes and the names of anyone with an account on the platform (and any name
  after a title such as Mr or Dr) are replaced by `[EMAIL]`, `[PHONE]`, `[GMC]`, `[NMC]`,
  `[GPHC]`, `[HCPC]`, `[NHS NUMBER]`, `[POSTCODE]` and `[NAME]`; the file's `redacted`
  column says which rows were changed. Read it anyway before sharing: names of people
  without an account and without a title are not recognised.
- **Small numbers.** `aggregates.csv` counts over fixed calendar quarters that have
  ended, never over the requested dates. Counts of 1 to {THRESHOLD} are suppressed (the
  `count` cell is empty and `suppressed` is True); 0 is shown. Where a breakdown hides a
  cell, further cells are hidden (smallest first) until the hidden ones number at least
  two and add up to more than {THRESHOLD}, so the total minus the visible cells never
  reveals a hidden count; a total of 1 to {THRESHOLD} hides every non-zero cell under it.
- **Spreadsheet safety.** A text cell that begins with `=`, `+`, `-`, `@`, a tab, a
  carriage return or `'` is prefixed with one `'` so spreadsheet programs do not run it as
  a formula. Taking exactly one `'` off the front of every text cell that starts with one
  gives the verbatim text back.

## Formats

- CSV files are UTF-8, comma-separated, with a header row; text is in double quotes
  (a quote inside text is doubled) and may contain commas, tabs and line breaks.
- Dates (`date`) are UK calendar dates as `YYYY-MM-DD`; times (`datetime`) are UTC as
  `YYYY-MM-DDThh:mm:ssZ`. An empty cell means "not recorded" or "not applicable".
- Lists inside a cell (tags, GPC domains) are separated by semicolons.
- Ratings are Likert scores from 1 to 5: {_LIKERT}.
- Numbers are unquoted; an empty integer cell is missing (read it as a nullable integer,
  not a float). Booleans are `True` or `False`.
- `import.py` (pandas), `import.R` (readr) and `import.do` (Stata) load every file with
  these types, label the Likert ratings and take the spreadsheet apostrophe off text.
- `datapackage.json` is a Frictionless Data Package with a Table Schema for every file
  (types, allowed values, required fields, primary and foreign keys): check the package
  with `frictionless validate datapackage.json`, and the files with `sha256sum -c MANIFEST`.
"""


TIME_BASIS = {"datetime": "datetime (UTC)", "date": "date (UK local)"}


def table_markdown(table: Table, include_free_text: Collection[str] | None) -> str:
    """One file's section. ``include_free_text=None`` documents every field, marking the
    free-text ones; otherwise only the fields present in that package."""
    fields = table.fields if include_free_text is None else table.fields_for(include_free_text)
    lines = [f"### `{table.path}` — {table.title}", "", table.description, ""]
    lines.append(f"Primary key: {', '.join(f'`{k}`' for k in table.primary_key)}.")
    for source, target, target_fields in table.foreign_keys:
        lines.append(
            f"Foreign key: {', '.join(f'`{f}`' for f in source)} → `{target}.csv` "
            f"({', '.join(f'`{f}`' for f in target_fields)})."
        )
    lines += [
        "",
        "| Field | Type | Required | Allowed values | Disclosure | Meaning |",
        "|---|---|---|---|---|---|",
    ]
    for field in fields:
        meaning = field.description
        if field.free_text and include_free_text is None:
            meaning += " *Free text: only when the evaluator includes this field.*"
        if field.redaction_flag and include_free_text is None:
            meaning += " *Present whenever this file's free text is.*"
        values = field.allowed_values().replace("|", "\\|")
        if field.pattern:
            values = values or "64 lower-case hex characters"
        required = "yes" if field.required else "no"
        kind = field.disclosure or "—"
        kind_of = TIME_BASIS.get(field.type, field.type)
        lines.append(
            f"| `{field.name}` | {kind_of} | {required} | {values} | {kind} | {meaning} |"
        )
    return "\n".join(lines) + "\n"


def codebook_markdown(include_free_text: Collection[str] | None = None) -> str:
    sections = [table_markdown(t, include_free_text) for t in TABLES]
    return RULES + "\n## Files and fields\n\n" + "\n".join(sections)


def data_dictionary() -> str:
    """The text of ``docs/data-dictionary.md``."""
    return (
        "# Evaluation data dictionary\n\n"
        "<!-- Generated by `flask evaluation data-dictionary` from "
        "futuredoctor/evaluation/schema.py; do not edit by hand. -->\n\n"
        "What each file of a Future Doctor evaluation export contains. Every package also "
        "carries this codebook as its `README.md` (with the export's scope, date range and "
        "row counts), a `datapackage.json` describing the same fields for software, and a "
        "`MANIFEST` of SHA-256 checksums.\n\n" + codebook_markdown(None)
    )
