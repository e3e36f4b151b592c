"""The identifier corpus: no planted identifier survives, clean text is left alone.

``docs/deidentification.md`` reports the figures this test measures.
"""

from __future__ import annotations

import re

from futuredoctor.evaluation.redaction import Redactor, nhs_number_valid
from tests.evaluation.identifier_corpus import ACCOUNTS, CLEAN, PLANTED


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def corpus_figures() -> dict[str, float]:
    redactor = Redactor.with_names(ACCOUNTS)
    planted = found = typed = 0
    for sentence, identifiers in PLANTED:
        out, flagged = redactor.redact(sentence)
        assert out is not None and flagged
        for identifier, placeholder in identifiers:
            planted += 1
            survives = identifier in out or (
                len(_digits(identifier)) >= 7 and _digits(identifier) in _digits(out)
            )
            found += not survives
            typed += placeholder in out
    changed = sum(redactor.redact(text)[1] for text in CLEAN)
    return {
        "planted": planted,
        "removed": found,
        "typed": typed,
        "clean": len(CLEAN),
        "false_positives": changed,
    }


def test_no_planted_identifier_survives_and_clean_text_is_unchanged() -> None:
    figures = corpus_figures()
    assert figures["removed"] == figures["planted"]
    assert figures["typed"] == figures["planted"]
    assert figures["false_positives"] == 0


def test_each_sentence_keeps_its_words_around_the_placeholder() -> None:
    redactor = Redactor.with_names(ACCOUNTS)
    out, flagged = redactor.redact("Ring me on 07700 900123 after clinic.")
    assert (out, flagged) == ("Ring me on [PHONE] after clinic.", True)
    assert redactor.redact(None) == (None, False)
    assert redactor.redact("") == ("", False)


def test_nhs_number_check_digit() -> None:
    assert nhs_number_valid("9434765919")
    assert not nhs_number_valid("9434765918")
    assert not nhs_number_valid("943476591")
    # A ten-digit number failing the check is not an NHS number and stays.
    out, flagged = Redactor().redact("Order 9434765918 shipped")
    assert (out, flagged) == ("Order 9434765918 shipped", False)
