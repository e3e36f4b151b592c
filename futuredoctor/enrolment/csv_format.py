"""The enrolment CSV: its columns, how uploaded bytes are decoded, and the template.

Spreadsheets arrive as UTF-8 (with or without Excel's byte-order mark), as Excel's
"CSV" export in Windows-1252, or as Excel's "Unicode text" (UTF-16, tab-separated).
All are accepted; anything else gets one clear problem instead of garbled names.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

COLUMNS = (
    "email",
    "given_name",
    "family_name",
    "professional_group",
    "registration_body",
    "registration_number",
    "career_stage",
    "employer",
    "cohort",
)
OPTIONAL_COLUMNS = frozenset({"employer"})
MAX_ROWS = 50_000

# Shown on the import page and in docs/enrolment-csv.md; deliberately not in the template,
# so a forgotten example row can never enrol a made-up person.
EXAMPLE_ROWS = [
    (
        "amara.okafor@example.nhs.uk",
        "Amara",
        "Okafor",
        "doctor",
        "GMC",
        "7123456",
        "FY2",
        "Example NHS Foundation Trust",
    ),
    (
        "lewis.grant@example.nhs.uk",
        "Lewis",
        "Grant",
        "nurse",
        "NMC",
        "12A3456E",
        "other",
        "Example Community Health NHS Trust",
    ),
]


NOTE_MARK = "#"  # a row whose first cell starts with this is a note, not a person
TEMPLATE_NOTES = (
    "Lines starting with # are notes and are never read as people: keep or delete them.",
    "Add one person per row under the headings. Required: email, given_name, family_name, "
    "professional_group (doctor, nurse, midwife, pharmacist, allied_health or other; job "
    "titles like paramedic or physiotherapist are understood) and, for doctors, "
    "career_stage (FY1, FY2, CT1, CT2, CT3, ST1, ST2, ST3, LED or other).",
    "Leave career_stage blank for groups without training grades (nurses, midwives, "
    "pharmacists, allied health): it is recorded as not applicable.",
    "registration_body is GMC, NMC, GPhC or HCPC with its registration_number; employer is "
    "optional.",
    "cohort is the cohort's short name, like {cohort}; leave it blank when you upload from "
    "that cohort's own page.",
)


@dataclass(frozen=True)
class FileProblem:
    """A problem with the file as a whole or with one cell: ``row`` 1 is the header."""

    row: int
    column: str | None
    message: str


def decode(data: bytes) -> tuple[str | None, FileProblem | None]:
    """The file's text, or a problem saying why it cannot be read."""
    if not data.strip():
        return None, FileProblem(1, None, "The file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            return None, FileProblem(1, None, "The file is not readable UTF-16 text")
    if b"\x00" in data:
        return None, FileProblem(
            1, None, "The file is not a CSV file. Save the spreadsheet as 'CSV UTF-8' and try again"
        )
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), None
    except UnicodeDecodeError:
        return None, FileProblem(
            1,
            None,
            "The file's characters could not be read. Save the spreadsheet as 'CSV UTF-8' "
            "and try again",
        )


def header_key(raw: str) -> str:
    """'Given name', 'given-name' and ' GIVEN_NAME ' all mean the given_name column."""
    return re.sub(r"[\s\-]+", "_", raw.strip().lower())


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass
class Sheet:
    """The parsed header and a lazy iterator over (row number, cells) for the data rows."""

    header: list[str]
    rows: Iterator[tuple[int, list[str]]]


class UnreadableRow(Exception):
    """The csv module could not split a row (a value over its field size limit, usually an
    unclosed quote that swallows the rest of the file)."""

    def __init__(self, row: int, error: csv.Error) -> None:
        limit = csv.field_size_limit()
        reason = (
            f"a value is longer than {limit:,} characters (check for a quote that is "
            "never closed)"
            if "field larger than field limit" in str(error)
            else str(error)
        )
        super().__init__(reason)
        self.problem = FileProblem(row, None, f"This row could not be read: {reason}")


def open_sheet(text: str) -> Sheet:
    """Raises UnreadableRow for an unreadable header; the rows raise it as they are read."""
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        header = next(reader, [])
    except csv.Error as error:
        raise UnreadableRow(1, error) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        while True:
            number += 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise UnreadableRow(number, error) from None
            if cells and cells[0].lstrip().startswith(NOTE_MARK):
                continue  # a note, like the template's guidance and example
            if any(cell.strip() for cell in cells):
                yield number, cells

    return Sheet(header=header, rows=rows())


def header_problems(
    header: list[str], optional: frozenset[str] = OPTIONAL_COLUMNS
) -> tuple[dict[str, int], list[FileProblem]]:
    """Map each known column to its position; report missing, unknown or repeated ones."""
    positions: dict[str, int] = {}
    problems: list[FileProblem] = []
    for index, raw in enumerate(header):
        key = header_key(raw)
        if key == "" and index == len(header) - 1:
            continue  # a trailing comma after the last heading
        if key not in COLUMNS:
            problems.append(
                FileProblem(
                    1,
                    raw.strip() or f"column {index + 1}",
                    "Unknown column heading. The headings must be: " + ", ".join(COLUMNS),
                )
            )
        elif key in positions:
            problems.append(FileProblem(1, key, "This column heading appears more than once"))
        else:
            positions[key] = index
    for column in COLUMNS:
        if column not in positions and column not in optional:
            problems.append(FileProblem(1, column, "This column is missing from the header row"))
    return positions, problems


def template_csv(cohort_slug: str) -> str:
    """The header row, notes and a commented example (lines starting with # are never
    read as people, so a forgotten example cannot enrol anyone), with Excel's UTF-8 mark so
    accented names survive a round trip."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for note in TEMPLATE_NOTES:
        writer.writerow([f"{NOTE_MARK} {note.format(cohort=cohort_slug)}"])
    example = EXAMPLE_ROWS[0]
    writer.writerow([f"{NOTE_MARK} Example: {example[0]}", *example[1:], cohort_slug])
    return "\ufeff" + out.getvalue()
