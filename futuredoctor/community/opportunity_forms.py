"""The opportunity form: UK-local date and times read as the release form reads them."""

from __future__ import annotations

from datetime import date, time

from wtforms import (
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange
from wtforms.validators import ValidationError as FormError

from futuredoctor.community.forms import all_in_choices, in_choices
from futuredoctor.date_input import DateInputError, date_from_parts, time_from_text
from futuredoctor.form_fields import SafeForm, bounded_text, strip
from futuredoctor.models import CAREER_STAGES, OpportunityKind, ProfessionalGroup


class OpportunityForm(SafeForm):
    kind = SelectField(
        "Type of opportunity",
        choices=[SelectChoice("", "Choose a type")]
        + [SelectChoice(k.value, k.label) for k in OpportunityKind],
        validate_choice=False,
        validators=[in_choices],
    )
    title = bounded_text("Title", 200, required="Enter a title")
    description = bounded_text(
        "Description (optional)", 5000, noun="Description", kind=TextAreaField
    )
    location = bounded_text(
        "Place or link", 500, required="Enter where it happens, or the link to join"
    )
    region = SelectField("Region", choices=[], validate_choice=False, validators=[in_choices])
    start_day = StringField("Day", filters=[strip])
    start_month = StringField("Month", filters=[strip])
    start_year = StringField("Year", filters=[strip])
    start_time = StringField("Start time (UK time)", filters=[strip])
    end_time = StringField("End time (UK time)", filters=[strip])
    closes_on_day = StringField("Day", filters=[strip])
    closes_on_month = StringField("Month", filters=[strip])
    closes_on_year = StringField("Year", filters=[strip])
    capacity = IntegerField(
        "Places",
        validators=[
            InputRequired("Enter the number of places, as a number"),
            NumberRange(1, 10_000, message="Places must be between 1 and 10,000"),
        ],
    )
    is_public = SelectField(
        "Listed publicly",
        choices=[
            SelectChoice("no", "No: only people signed in who it is for"),
            SelectChoice("yes", "Yes: also on the public opportunities page"),
        ],
        validate_choice=False,
        validators=[in_choices],
    )
    regions = SelectMultipleField(
        "For people in these regions",
        choices=[],
        validate_choice=False,
        validators=[all_in_choices("Choose regions from the list")],
    )
    professional_groups = SelectMultipleField(
        "For these professional groups",
        choices=[
            SelectChoice(g.value, g.value.replace("_", " ").capitalize()) for g in ProfessionalGroup
        ],
        validate_choice=False,
        validators=[all_in_choices("Choose professional groups from the list")],
    )
    career_stages = SelectMultipleField(
        "For these career stages",
        choices=[SelectChoice(s, s) for s in CAREER_STAGES],
        validate_choice=False,
        validators=[all_in_choices("Choose career stages from the list")],
    )
    form_key = HiddenField()

    starts_on: date | None = None
    starts: time | None = None
    ends: time | None = None
    closes_on: date | None = None

    def validate_start_day(self, field: StringField) -> None:
        try:
            self.starts_on = date_from_parts(
                self.start_day.data,
                self.start_month.data,
                self.start_year.data,
                what="The start date",
            )
        except DateInputError as problem:
            raise FormError(problem.message) from None

    def validate_closes_on_day(self, field: StringField) -> None:
        try:
            self.closes_on = date_from_parts(
                self.closes_on_day.data,
                self.closes_on_month.data,
                self.closes_on_year.data,
                what="The closing date",
            )
        except DateInputError as problem:
            raise FormError(problem.message) from None

    def validate_start_time(self, field: StringField) -> None:
        self.starts = self._time(field, "The start time")

    def validate_end_time(self, field: StringField) -> None:
        self.ends = self._time(field, "The end time")

    @staticmethod
    def _time(field: StringField, what: str) -> time:
        if not field.data:
            raise FormError(f"Enter {what[0].lower()}{what[1:]}, for example 09:00")
        try:
            return time_from_text(field.data, what=what)
        except DateInputError as problem:
            raise FormError(problem.message) from None

    def set_times(self, starts: date, start: time, end: time, closes: date) -> None:
        self.start_day.data, self.start_month.data = str(starts.day), str(starts.month)
        self.start_year.data = str(starts.year)
        self.start_time.data, self.end_time.data = f"{start:%H:%M}", f"{end:%H:%M}"
        self.closes_on_day.data, self.closes_on_month.data = str(closes.day), str(closes.month)
        self.closes_on_year.data = str(closes.year)


class AttendanceForm(SafeForm):
    attended = SelectMultipleField("Attended", coerce=int, choices=[], validate_choice=False)
