"""De-identification of free text before it leaves in an evaluation package.

Feedback, educators' reasons and co-design notes are written by people who mention email
addresses, phone numbers, registration numbers, NHS numbers, postcodes and names. Each is
replaced by a typed placeholder (``[EMAIL]``, ``[PHONE]``...) so the sentence still reads
and an evaluator can count what kind of detail was removed. UK phone numbers are found by
``phonenumbers`` (Google's libphonenumber metadata); the other formats are regular
expressions over the registration bodies' published formats, with the NHS number's
modulus-11 check digit so ordinary ten-digit numbers are left alone. Names are the given and
family names of every account on the platform, plus any capitalised word after a title
(Mr, Mrs, Dr...), which catches patients named in passing.

The order matters: longer, more specific identifiers go first, and a placeholder contains
no digits or names, so a later rule never matches inside an earlier replacement.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.models import PublicContributor, User

# Raise when any rule below changes: every stored redaction is then redone (see
# stored_redaction.py). Adding names needs no change here.
RULES_VERSION = 1
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Ten digits, optionally grouped 3-3-4 by spaces or hyphens; checked by nhs_number_valid.
NHS_NUMBER = re.compile(r"(?<![\d-])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\d-])")
# NMC PIN: two digits, a letter, four digits, a letter (e.g. 12A3456E).
NMC = re.compile(r"\b\d{2}\s?[A-Z]\s?\d{4}\s?[A-Z]\b", re.IGNORECASE)
# HCPC: the profession's two-letter prefix, then digits (e.g. PA12345, SW 123456).
HCPC = re.compile(r"\b[A-Z]{2}\s?\d{5,6}\b")
# GMC reference numbers and GPhC registration numbers: seven digits, perhaps split by spaces.
SEVEN_DIGITS = re.compile(r"(?<![\d])\d(?:[ ]?\d){6}(?![\d])")
# A UK number written nationally or internationally: 0 or +44/0044 and 9 or 10 more digits,
# grouped by spaces, hyphens or brackets. Runs before phonenumbers, which otherwise splits
# some area-code groupings (01632 960 001) into pieces.
UK_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?(?:\(0\))?|0044\s?|\(?0)\d(?:[\s)-]{0,2}\d){8,9}(?!\d)")
# Every number rule needs at least five digits close together (NMC: 2 + 4 with a letter
# between; the rest seven or more); a postcode needs a digit.
MANY_DIGITS = re.compile(r"\d(?:[\s()A-Za-z-]{0,3}\d){4}")
ANY_DIGIT = re.compile(r"\d")
GPHC_CONTEXT = re.compile(r"gphc|pharmac", re.IGNORECASE)
POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE
)
TITLED_NAME = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sister|Nurse)\.? +"
    r"(?:[A-Z][\w'’-]*\.? +)?[A-Z][\w'’-]+"
)
NAME_WORD = re.compile(r"(?<![\w'’-])[A-Z][a-z]*(?:['’-]?[A-Z]?[a-z]+)+(?![\w'’-])")
# Given names that are also everyday words: redacted only next to a family name.
EVERYDAY_WORDS = frozenset(
    [
        "may",
        "will",
        "grace",
        "hope",
        "mark",
        "bill",
        "rose",
        "june",
        "april",
        "august",
        "faith",
        "joy",
        "dawn",
        "summer",
        "art",
        "pat",
        "sue",
        "frank",
        "sunny",
        "page",
        "hunter",
        "rich",
        "young",
        "white",
        "green",
        "brown",
        "black",
        "long",
        "short",
        "hall",
        "wood",
    ]
)
PLACEHOLDERS = (
    "[EMAIL]",
    "[PHONE]",
    "[GMC]",
    "[NMC]",
    "[GPHC]",
    "[HCPC]",
    "[NHS NUMBER]",
    "[POSTCODE]",
    "[NAME]",
)


def nhs_number_valid(digits: str) -> bool:
    """The NHS number's modulus-11 check: weights 10..2 on the first nine digits."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


@dataclass
class Redactor:
    """Finds and replaces identifiers; built once per package (the names are read once)."""

    given_names: frozenset[str] = frozenset()
    family_names: frozenset[str] = frozenset()
    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def for_accounts(cls) -> Redactor:
        """Every account's names, whatever its role or state (closed accounts included),
        and the display names of recorded public contributors: they have no account, but
        staff write their feedback up and may name them in it. A display name's words
        count as given names (redacted unless everyday words standing alone), since a
        pseudonym is often an ordinary word."""
        given: set[str] = set()
        family: set[str] = set()
        for first, last in db.session.execute(sa.select(User.given_name, User.family_name)):
            given.update(name_parts(first))
            family.update(name_parts(last))
        for (name,) in db.session.execute(sa.select(PublicContributor.display_name)):
            given.update(name_parts(name))
        return cls(frozenset(given), frozenset(family))

    @classmethod
    def with_names(cls, names: Iterable[tuple[str, str]]) -> Redactor:
        given: set[str] = set()
        family: set[str] = set()
        for first, last in names:
            given.update(name_parts(first))
            family.update(name_parts(last))
        return cls(frozenset(given), frozenset(family))

    def redact(self, text: str | None) -> tuple[str | None, bool]:
        """The text with identifiers replaced, and whether anything was replaced."""
        if not text:
            return text, False
        out = EMAIL.sub(self._tally("[EMAIL]"), text) if "@" in text else text
        if MANY_DIGITS.search(out):  # most text has no long number: skip the number rules
            out = NHS_NUMBER.sub(self._nhs_number, out)
            out = NMC.sub(self._tally("[NMC]"), out)
            out = HCPC.sub(self._tally("[HCPC]"), out)
            out = UK_PHONE.sub(self._tally("[PHONE]"), out)
            out = self._phones(out)
            out = SEVEN_DIGITS.sub(lambda m: self._seven_digits(m, out), out)
        if ANY_DIGIT.search(out):
            out = POSTCODE.sub(self._tally("[POSTCODE]"), out)
        out = TITLED_NAME.sub(self._tally("[NAME]"), out)
        out = self._names(out)
        return out, out != text

    def _tally(self, placeholder: str) -> Callable[[Any], str]:
        def replace(_: Any) -> str:
            self.counts[placeholder] = self.counts.get(placeholder, 0) + 1
            return placeholder

        return replace

    def _nhs_number(self, match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group())
        if not nhs_number_valid(digits):
            return match.group()
        return self._tally("[NHS NUMBER]")(match)

    def _phones(self, text: str) -> str:
        # POSSIBLE (right length for a UK number) rather than VALID, so numbers in ranges
        # not yet allocated, and Ofcom's reserved drama ranges, are caught too; written
        # the way UK numbers are (a leading 0, +44 or 0044), so counts and years are not.
        found = [
            hit
            for hit in phonenumbers.PhoneNumberMatcher(
                text, "GB", leniency=phonenumbers.Leniency.POSSIBLE
            )
            if hit.raw_string.lstrip("(").startswith(("0", "+"))
        ]
        for hit in reversed(found):
            text = text[: hit.start] + self._tally("[PHONE]")(None) + text[hit.end :]
        return text

    def _seven_digits(self, match: re.Match[str], text: str) -> str:
        before = text[max(0, match.start() - 30) : match.start()]
        kind = "[GPHC]" if GPHC_CONTEXT.search(before) else "[GMC]"
        return self._tally(kind)(match)

    def _names(self, text: str) -> str:
        words = [_without_possessive(w) for w in NAME_WORD.finditer(text)]
        family = {i for i, (_, key, _) in enumerate(words) if key in self.family_names}
        hits: list[tuple[int, int]] = []
        for i, (start, key, end) in enumerate(words):
            if i in family or (
                key in self.given_names
                and (key not in EVERYDAY_WORDS or (i + 1) in family or (i - 1) in family)
            ):
                hits.append((start, end))
        for start, end in reversed(hits):
            text = text[:start] + self._tally("[NAME]")(None) + text[end:]
        return text


def _without_possessive(word: re.Match[str]) -> tuple[int, str, int]:
    """A word's span and folded text, less a possessive 's (Priya's: Priya)."""
    text, end = word.group(), word.end()
    if len(text) > 3 and text[-2:] in {"'s", "’s"}:
        text, end = text[:-2], end - 2
    return word.start(), text.casefold(), end


def name_parts(name: str | None) -> set[str]:
    """A name and its hyphenated parts (Smith-Jones: also Smith, Jones), folded."""
    if not name or len(name.strip()) < 2:
        return set()
    whole = name.strip().casefold()
    parts = {p for p in re.split(r"[\s-]+", whole) if len(p) >= 2}
    return {whole, *parts}
