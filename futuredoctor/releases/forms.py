"""Forms for scheduling, moving and withdrawing releases and for choosing a preview.
Field-level checks here; the rules that need the database live in ``services``."""

from __future__ import annotations

import re
from datetime import date, time

from wtforms import HiddenField, SelectField, SelectMultipleField, StringField

from futuredoctor.form_fields import SafeForm

TIME_PATTERN = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


class ReleaseTimeMixin:
    """Day, month, year and a 24-hour time, parsed with errors people can act on."""

    release_day = StringField("Day")
    release_month = StringField("Month")
    release_year = StringField("Year")
    release_time = StringField("Time (UK time)")

    def release_date(self) -> date | None:
        parts = [(f.data or "").strip() for f in self._date_fields()]  # type: ignore[attr-defined]
        if not any(parts):
            self.release_day.errors = ["Enter the release date"]  # type: ignore[attr-defined]
            return None
        names = ("a day", "a month", "a year")
        missing = [name for part, name in zip(parts, names, strict=True) if not part]
        if missing:
            self.release_day.errors = [  # type: ignore[attr-defined]
                f"The release date must include {' and '.join(missing)}"
            ]
            return None
        try:
            if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
                raise ValueError
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            self.release_day.errors = [  # type: ignore[attr-defined]
                "The release date must be a real date, for example 24 11 2026"
            ]
            return None

    def _date_fields(self) -> list[StringField]:
        return [self.release_day, self.release_month, self.release_year]

    def release_clock(self) -> time | None:
        raw = (self.release_time.data or "").strip()  # type: ignore[attr-defined]
        if not raw:
            self.release_time.errors = ["Enter the release time, for example 09:00"]  # type: ignore[attr-defined]
            return None
        match = TIME_PATTERN.match(raw)
        if match and int(match[1]) < 24 and int(match[2]) < 60:
            return time(int(match[1]), int(match[2]))
        self.release_time.errors = [  # type: ignore[attr-defined]
            "Enter the release time in the 24-hour clock, for example 09:00 or 14:30"
        ]
        return None

    def set_release(self, day: date, at: time) -> None:
        self.release_day.data = str(day.day)  # type: ignore[attr-defined]
        self.release_month.data = str(day.month)  # type: ignore[attr-defined]
        self.release_year.data = str(day.year)  # type: ignore[attr-defined]
        self.release_time.data = f"{at:%H:%M}"  # type: ignore[attr-defined]


class ScheduleForm(ReleaseTimeMixin, SafeForm):
    version = SelectField("Module version", validate_choice=False)
    cohorts = SelectMultipleField("Cohorts", validate_choice=False)
    form_key = HiddenField()


class RescheduleForm(ReleaseTimeMixin, SafeForm):
    pass


class WithdrawForm(SafeForm):
    """Only the CSRF token: the page itself asks for confirmation."""


class PreviewForm(SafeForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    cohort = SelectField("Cohort", validate_choice=False)
    day = StringField("Day")
    month = StringField("Month")
    year = StringField("Year")
