"""Pure rules: suppression, pseudonyms, formula protection, date parsing, and the data
dictionary kept in step with the field definitions."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from futuredoctor.config import PROJECT_ROOT
from futuredoctor.evaluation.codebook import data_dictionary
from futuredoctor.evaluation.package import CsvEncoder, protect, unprotect
from futuredoctor.evaluation.pseudonyms import pseudonym
from futuredoctor.evaluation.scope import parse_date, parse_flag
from futuredoctor.evaluation.suppression import primary


def test_small_counts_are_hidden_and_zero_is_shown() -> None:
    assert [primary(n) for n in (0, 1, 7, 8, 1002)] == [False, True, True, False, False]
    with pytest.raises(ValueError):
        primary(-1)


def test_pseudonyms_are_keyed_hashes() -> None:
    one = pseudonym(b"study-one", 42)
    assert one == pseudonym(b"study-one", 42)
    assert one != pseudonym(b"study-two", 42)
    assert one != pseudonym(b"study-one", 43)
    assert len(one) == 64 and "42" not in one[:2]


@pytest.mark.parametrize("text", ["=1+1", "+44", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_are_defused(text: str) -> None:
    assert protect(text) == "'" + text
    assert protect("fine = text") == "fine = text"
    assert unprotect(protect(text)) == text


@pytest.mark.parametrize("text", ["'quoted", "''", "'=1", "plain", ""])
def test_spreadsheet_protection_is_exactly_reversible(text: str) -> None:
    assert unprotect(protect(text)) == text


def test_csv_cells_round_trip_tabs_newlines_and_quotes() -> None:
    encoder = CsvEncoder()
    nasty = 'a\tb, "c"\r\nd'
    encoder.write([1, nasty, None, "=cmd|' /C calc'!A0"])
    rows = list(csv.reader(io.StringIO(encoder.take().decode(), newline="")))
    assert rows == [["1", nasty, "", "'=cmd|' /C calc'!A0"]]


def test_dates_are_read_the_uk_way() -> None:
    assert parse_date("1/9/2026") == date(2026, 9, 1)
    assert parse_date("01-09-2026") == date(2026, 9, 1)
    assert parse_date("2026-09-01") == date(2026, 9, 1)
    assert parse_date(" ") is None
    for bad in ("9/1/26", "2026/09/01", "32/1/2026", "tomorrow"):
        with pytest.raises(ValueError):
            parse_date(bad)
    assert parse_flag("Yes") is True and parse_flag(None) is False
    with pytest.raises(ValueError):
        parse_flag("maybe")


def test_data_dictionary_document_is_up_to_date() -> None:
    path = PROJECT_ROOT / "docs" / "data-dictionary.md"
    assert path.read_text(encoding="utf-8") == data_dictionary(), (
        "run: flask evaluation data-dictionary"
    )


def test_study_secret_comes_from_outside_the_database(monkeypatch, tmp_path) -> None:
    from futuredoctor.config import DEV_STUDY_SECRET, ConfigError, load_config

    for name in ("STUDY_SECRET", "STUDY_SECRET_FILE", "ENV"):
        monkeypatch.delenv(f"FUTUREDOCTOR_{name}", raising=False)
    assert load_config()["STUDY_SECRET"] == DEV_STUDY_SECRET  # development only
    monkeypatch.setenv("FUTUREDOCTOR_ENV", "production")
    assert load_config()["STUDY_SECRET"] is None
    secret_file = tmp_path / "study-secret"
    secret_file.write_text("a-long-random-study-secret-from-a-file\n", encoding="utf-8")
    monkeypatch.setenv("FUTUREDOCTOR_STUDY_SECRET_FILE", str(secret_file))
    assert load_config()["STUDY_SECRET"] == "a-long-random-study-secret-from-a-file"
    monkeypatch.setenv("FUTUREDOCTOR_STUDY_SECRET", "from-the-environment")
    assert load_config()["STUDY_SECRET"] == "from-the-environment"
    monkeypatch.delenv("FUTUREDOCTOR_STUDY_SECRET")
    monkeypatch.setenv("FUTUREDOCTOR_STUDY_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigError):
        load_config()
