"""The shared input rules: typed text, dates and times, ids, and the form base every form
is built on."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import date, time

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, StringField, TextAreaField

import futuredoctor
from futuredoctor.date_input import (
    DateInputError,
    date_from_parts,
    date_from_text,
    time_from_text,
)
from futuredoctor.form_fields import SafeForm, SafeSubForm
from futuredoctor.typed_text import ascii_digits, db_int, is_invisible, text_problem


@pytest.mark.parametrize(
    ("value", "multi_line", "problem"),
    [
        ("Ada Lovelace", False, None),
        ("Zoë O'Brien-Ngũgĩ", False, None),
        ("محمد", False, None),
        ("Ada\x00", False, "NUL"),
        ("Ada\x1b[31m", False, "control"),
        ("Ada\x85", False, "one line"),
        ("one\ntwo", False, "one line"),
        ("one\u2028two", False, "one line"),
        ("one\r\ntwo\tthree", True, None),
        ("one\x00two", True, "NUL"),
        ("\u200b\u200b", False, "see"),
        ("\ufeff \u2060", False, "see"),
        ("\u3164", False, "see"),
        ("\u0301", False, "see"),
    ],
)
def test_typed_text_rules(value: str, multi_line: bool, problem: str | None) -> None:
    found = text_problem(value, multi_line=multi_line)
    assert (found is None) if problem is None else (problem in (found or ""))


def test_digits_and_ids() -> None:
    assert ascii_digits("٢٠٢٦") == "2026" and ascii_digits("２０２６") == "2026"
    assert ascii_digits("۱۲") == "12"  # extended Arabic-Indic
    assert db_int("2147483647") == 2147483647
    assert db_int("2147483648") is None and db_int("99999999999") is None
    assert db_int("٣") == 3 and db_int("x") is None and db_int("") is None
    assert is_invisible("\u200b") and not is_invisible("a\u200b")


def test_dates_are_read_once_with_the_range_named() -> None:
    assert date_from_parts("٢٤", "١١", "٢٠٢٦") == date(2026, 11, 24)
    assert date_from_text("２０２６-１１-２４") == date(2026, 11, 24)
    assert date_from_text("24/11/2026") == date(2026, 11, 24)
    assert date_from_text(" ") is None
    assert time_from_text("٠٩:٣٠") == time(9, 30)
    for call, message in [
        (lambda: date_from_parts("1", "1", "0001"), "between 2000 and 2100"),
        (lambda: date_from_parts("31", "12", "9999"), "between 2000 and 2100"),
        (lambda: date_from_parts("31", "2", "2026"), "February 2026 has 28 days"),
        (lambda: date_from_parts("", "2", "2026"), "must include a day"),
        (lambda: date_from_parts("1", "13", "2026"), "month from 1 to 12"),
        (lambda: date_from_text("9999-12-31"), "between 2000 and 2100"),
        (lambda: date_from_text("24/11/2026", iso_only=True), "YYYY-MM-DD"),
        (lambda: date_from_text("1\x00/1/2026"), "must be a real date"),
        (lambda: time_from_text("25:00"), "24-hour clock"),
    ]:
        with pytest.raises(DateInputError, match=message):
            call()


class _Example(SafeForm):
    class Meta:
        csrf = False

    title = StringField("Title")
    notes = TextAreaField("Notes")
    count = IntegerField("Count")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": "a\x00b"}, "title", "Title must not contain a NUL character"),
        ({"title": "one\ntwo"}, "title", "Title must be on one line"),
        ({"title": "\u200b"}, "title", "Title must contain letters or numbers you can see"),
        ({"notes": "a" * 10_001}, "notes", "Notes must be 10,000 characters or fewer"),
        ({"count": "99999999999"}, "count", "Count is not one we know"),
    ],
)
def test_every_form_refuses_what_the_database_cannot_hold(
    app: object, data: dict[str, str], field: str, message: str
) -> None:
    form = _Example(formdata=MultiDict(data))
    assert not form.validate()
    assert form.errors[field] == [message]


def test_bidi_overrides_are_removed_and_line_breaks_kept_where_multi_line(app: object) -> None:
    form = _Example(formdata=MultiDict({"title": "\u202eevil\u202c", "notes": "a\nb"}))
    assert form.validate(), form.errors
    assert form.title.data == "evil" and form.notes.data == "a\nb"


def test_every_form_in_the_app_is_built_on_the_safe_base() -> None:
    for module in pkgutil.walk_packages(futuredoctor.__path__, "futuredoctor."):
        importlib.import_module(module.name)

    def subclasses(cls: type) -> list[type]:
        return [c for sub in cls.__subclasses__() for c in (sub, *subclasses(sub))]

    unsafe = [
        f"{c.__module__}.{c.__name__}"
        for c in subclasses(FlaskForm)
        if c.__module__.startswith("futuredoctor.")
        and not issubclass(c, SafeForm | SafeSubForm)
    ]
    assert unsafe == []
