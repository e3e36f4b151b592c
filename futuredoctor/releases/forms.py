"""Forms for scheduling, moving and withdrawing releases and for choosing a preview.
Field-level checks here; the rules that need the database live in ``services``."""

from __future__ import annotations

from datetime import date, time

from wtforms import HiddenField, SelectField, SelectMultipleField, StringField

from futuredoctor.date_input import DateInputError, date_from_parts, time_from_text
from futuredoctor.form_fields import SafeForm, version_search_field


class ReleaseTimeMixin:
    """Day, month, year and a 24-hour time, parsed with errors people can act on."""

    release_day = StringField("Day")
    release_month = StringField("Month")
    release_year = StringField("Year")
    release_time = StringField("Time (UK time)")

    def release_date(self) -> date | None:
        try:
            return date_from_parts(*(f.data for f in self._date_fields()), what="The release date")
        except DateInputError as problem:
            self.release_day.errors = [problem.message]
            return None

    def _date_fields(self) -> list[StringField]:
        return [self.release_day, self.release_month, self.release_year]

    def release_clock(self) -> time | None:
        raw = (self.release_time.data or "").strip()
        if not raw:
            self.release_time.errors = ["Enter the release time, for example 09:00"]
            return None
        try:
            return time_from_text(raw, what="The release time")
        except DateInputError as problem:
            self.release_time.errors = [problem.message]
            return None

    def set_release(self, day: date, at: time) -> None:
        self.release_day.data = str(day.day)
        self.release_month.data = str(day.month)
        self.release_year.data = str(day.year)
        self.release_time.data = f"{at:%H:%M}"


class ScheduleForm(ReleaseTimeMixin, SafeForm):
    find = version_search_field()
    version = SelectField("Module version", validate_choice=False)
    region = SelectField("Show the cohorts of", validate_choice=False)
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
