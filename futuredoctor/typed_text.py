"""What typed text may hold before it reaches the database, an email header or a page.

One set of rules for every way text comes in (forms, query strings, CSV rows, content
files, the API), so the same hostile value gets the same answer everywhere:

- NUL and other control characters are refused (PostgreSQL refuses NUL outright; the rest
  are invisible and break CSV files and email headers). Multi-line text may hold line
  breaks and tabs; single-line text (titles, names, subjects) may not.
- Bidirectional embedding, override and isolate controls are removed: they let a value
  reorder the text shown after it ("spoofing"), and nobody types them on purpose.
- A value made only of invisible characters (zero-width spaces, byte-order marks, format
  characters, blank fillers) is refused: it would show as an empty name.
- Where digits matter (dates, times, registration numbers, ids) text is NFKC-normalised,
  so full-width and Arabic-Indic digits read as the ASCII digits they mean.
"""

from __future__ import annotations

import re
import unicodedata

# PostgreSQL's integer (int4) range: ids, counts and numbers beyond it cannot be stored or
# even compared with a column, so they are refused (or treated as not found) before a query.
MAX_DB_INT = 2_147_483_647
MIN_DB_INT = -2_147_483_648

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = frozenset("\n\r\u2028\u2029\x85\x0b\x0c")
_MULTI_LINE_ALLOWED = frozenset("\n\r\t")
# Letters and symbols that render as nothing at all.
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Co", "Cs", "Zs", "Zl", "Zp", "Mn", "Me"})


def strip_bidi_controls(value: str) -> str:
    return BIDI_CONTROLS.sub("", value)


def control_problem(value: str, *, multi_line: bool = False) -> str | None:
    """Why ``value`` cannot be stored as typed text, as the end of a sentence naming the
    field ("must not contain ..."), or None when it is fine."""
    for char in value:
        if char == "\x00":
            return "must not contain a NUL character"
        if multi_line and char in _MULTI_LINE_ALLOWED:
            continue
        if char in _LINE_BREAKS:
            return "must be on one line"
        category = unicodedata.category(char)
        if category == "Cc":
            return "must not contain control characters"
        if category == "Cs":
            return "must not contain unpaired surrogate characters"
    return None


def is_invisible(value: str) -> bool:
    """True when a non-empty value shows nothing: only spaces, zero-width and format
    characters, combining marks with nothing to combine with, or blank fillers."""
    return bool(value) and all(
        char in _BLANK_GLYPHS or unicodedata.category(char) in _INVISIBLE_CATEGORIES
        for char in value
    )


def text_problem(value: str, *, multi_line: bool = False) -> str | None:
    """The control-character and invisible-only rules together."""
    problem = control_problem(value, multi_line=multi_line)
    if problem:
        return problem
    if is_invisible(value.strip()):
        return "must contain letters or numbers you can see"
    return None


def ascii_digits(value: str) -> str:
    """NFKC-normalise, so "２０２６" and "٢٠٢٦" become "2026" (Arabic-Indic digits are
    mapped by their digit value, which NFKC leaves alone)."""
    value = unicodedata.normalize("NFKC", value)
    return "".join(
        str(unicodedata.digit(char)) if not char.isascii() and char.isdigit() else char
        for char in value
    )


def db_int(value: str | int | None) -> int | None:
    """An id or count that fits the database's integer column, or None (not found)."""
    if isinstance(value, int):
        number = value
    else:
        text = ascii_digits((value or "").strip())
        if not re.fullmatch(r"-?[0-9]{1,10}", text):
            return None
        number = int(text)
    return number if MIN_DB_INT <= number <= MAX_DB_INT else None
