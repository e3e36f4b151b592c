"""Forms for the inbox, triage, co-design sessions, the version editor and the diff."""

from __future__ import annotations

from datetime import date

from wtforms import (
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.validators import ValidationError as FormError

from futuredoctor.content.schema import DELIVERY_MODES
from futuredoctor.date_input import DateInputError, date_from_parts
from futuredoctor.form_fields import (
    SafeForm,
    SafeSubForm,
    bounded_text,
    contributor_search_field,
    database_id,
    strip,
    version_search_field,
)
from futuredoctor.livinglab.workflow import MAX_REASON
from futuredoctor.models import FeedbackSource, FeedbackStatus

MAX_TEXT = 2000


def _in_choices(form: SafeForm, field: SelectField) -> None:
    if (field.data or "") not in {c.value for c in field.iter_choices()}:
        raise FormError(f"Choose a {field.label.text.lower()} from the list")


class InboxFilterForm(SafeForm):
    """Read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    module = SelectField("Module", choices=[], validate_choice=False, validators=[_in_choices])
    version = SelectField("Version", choices=[], validate_choice=False, validators=[_in_choices])
    region = SelectField("Region", choices=[], validate_choice=False, validators=[_in_choices])
    status = SelectField("Status", choices=[], validate_choice=False, validators=[_in_choices])
    rating = SelectField("Rating", choices=[], validate_choice=False, validators=[_in_choices])
    tag = SelectField("Tag", choices=[], validate_choice=False, validators=[_in_choices])
    source = SelectField("Source", choices=[], validate_choice=False, validators=[_in_choices])
    text = StringField(
        "Text contains",
        filters=[strip],
        validators=[Optional(), Length(max=100, message="Search must be 100 characters or fewer")],
    )


class StatusForm(SafeForm):
    status = SelectField("New status", choices=[], validate_choice=False)
    note = bounded_text(
        "Note (required when declining)", MAX_REASON, noun="Note", kind=TextAreaField
    )
    from_status = HiddenField()

    def validate_status(self, field: SelectField) -> None:
        # Any real status passes here; the workflow explains why a move is not allowed.
        if (field.data or "") not in {s.value for s in FeedbackStatus}:
            raise FormError("Select the new status")


class BulkStatusForm(StatusForm):
    items = SelectMultipleField("Feedback items", coerce=int, validate_choice=False)

    def validate_items(self, field: SelectMultipleField) -> None:
        if not field.data:
            raise FormError("Select at least one feedback item")
        if len(field.data) > 200:
            raise FormError("Select 200 items or fewer at a time")


class ReplyForm(SafeForm):
    body = bounded_text(
        "Your reply", 5000, noun="Reply", required="Enter your reply", kind=TextAreaField
    )


class TagForm(SafeForm):
    tags = StringField(
        "Add tags",
        filters=[strip],
        validators=[Length(max=500, message="Tags must be 500 characters or fewer in total")],
    )
    remove = HiddenField(validators=[database_id("Choose a tag to remove")])


class SuggestionFields(SafeSubForm):
    """One suggestion row of the session form; empty rows are ignored."""

    version = SelectField("Module version", choices=[], validate_choice=False)
    text = bounded_text("Suggestion", MAX_TEXT, kind=TextAreaField)

    def validate_version(self, field: SelectField) -> None:
        if self.text.data and (field.data or "") not in {
            c.value for c in field.iter_choices() if c.value
        }:
            raise FormError("Select the module version this suggestion is about")

    def validate_text(self, field: TextAreaField) -> None:
        if field.data == "" and self.version.data:
            raise FormError("Enter the suggestion, or leave the module version empty")


def _count(label: str) -> IntegerField:
    return IntegerField(
        label,
        default=0,
        validators=[
            InputRequired(f"Enter the number of {label.lower()}, or 0"),
            NumberRange(
                0, 10000, message=f"Number of {label.lower()} must be between 0 and 10,000"
            ),
        ],
    )


class SessionForm(SafeForm):
    find = version_search_field()
    pilot = SelectField("Pilot", choices=[], validate_choice=False, validators=[_in_choices])
    held_on_day = StringField("Day", filters=[strip])
    held_on_month = StringField("Month", filters=[strip])
    held_on_year = StringField("Year", filters=[strip])
    title = bounded_text("Title", 200, required="Enter a title for the session")
    participants_count = _count("Participants")
    educators_count = _count("Educators")
    patients_public_count = _count("Patients and members of the public")
    other_professionals_count = _count("Other professionals")
    notes = bounded_text("Notes (optional)", 10_000, noun="Notes", kind=TextAreaField)
    suggestions = FieldList(FormField(SuggestionFields), min_entries=3, max_entries=10)

    held_on: date | None = None

    def validate_held_on_day(self, field: StringField) -> None:
        parts = (self.held_on_day.data, self.held_on_month.data, self.held_on_year.data)
        if not any(parts):
            raise FormError("Enter the date the session was held")
        try:
            self.held_on = date_from_parts(*parts, what="Session date", example="14 10 2026")
        except DateInputError as problem:
            raise FormError(problem.message) from None
        if self.held_on.year < 2020:
            raise FormError("Session date must be in 2020 or later")


class HeadcountForm(SafeForm):
    """A recorded session's headcount by type of attendee, corrected by its organiser."""

    participants_count = _count("Participants")
    educators_count = _count("Educators")
    patients_public_count = _count("Patients and members of the public")
    other_professionals_count = _count("Other professionals")


class AddSuggestionForm(SafeForm):
    find = version_search_field()
    version = SelectField(
        "Module version", choices=[], validate_choice=False, validators=[_in_choices]
    )
    source = SelectField(
        "Source",
        choices=[
            SelectChoice(FeedbackSource.CODESIGN_SESSION.value, "The group, in discussion"),
            SelectChoice(FeedbackSource.EDUCATOR.value, "An educator"),
            SelectChoice(FeedbackSource.PATIENT_PUBLIC.value, "A patient or member of the public"),
        ],
        default=FeedbackSource.CODESIGN_SESSION.value,
        validate_choice=False,
        validators=[_in_choices],
    )
    find_contributor = contributor_search_field()
    contributor = SelectField(
        "Recorded public contributor",
        choices=[],
        validate_choice=False,
        validators=[_in_choices],
    )
    text = bounded_text("Suggestion", MAX_TEXT, required="Enter the suggestion", kind=TextAreaField)

    def validate_version(self, field: SelectField) -> None:
        if not (field.data or "").isdigit():
            raise FormError("Select the module version this suggestion is about")


class VersionForm(SafeForm):
    based_on = HiddenField()
    title = bounded_text("Title", 200, required="Enter a title")
    summary = bounded_text("Summary", 300, required="Enter a summary", kind=TextAreaField)
    estimated_minutes = IntegerField(
        "Estimated time in minutes",
        validators=[
            InputRequired("Enter the estimated time in minutes, as a number"),
            NumberRange(5, 480, message="Estimated time must be between 5 and 480 minutes"),
        ],
    )
    delivery_mode = SelectField(
        "Delivery mode",
        choices=[SelectChoice(m, m.capitalize()) for m in DELIVERY_MODES],
        validate_choice=False,
        validators=[_in_choices],
    )
    # Markdown: leading spaces can matter, so these two keep what was typed.
    learning_outcomes = bounded_text("Learning outcomes", 5000, kind=TextAreaField, filters=())
    gpc_domains = SelectMultipleField("GPC domains", choices=[], validate_choice=False)
    body = bounded_text(
        "Module content (Markdown)",
        100_000,
        noun="Module content",
        required="Enter the module content",
        kind=TextAreaField,
        filters=(),
    )
    changelog = bounded_text(
        "What changed in this version",
        MAX_TEXT,
        noun="What changed",
        required="Enter what changed in this version",
        kind=TextAreaField,
    )
    addresses = SelectMultipleField(
        "Feedback this version addresses", coerce=int, choices=[], validate_choice=False
    )
    # The picker of feedback to address searches and pages: a module can have thousands.
    find = bounded_text("Search open feedback", 200, noun="The search")
    picker_page = HiddenField()
    picker_first = HiddenField()  # the shown page's first and last items: where paging goes on
    picker_last = HiddenField()

    def outcomes(self) -> list[str]:
        return [
            line.strip(" -*\t")
            for line in (self.learning_outcomes.data or "").splitlines()
            if line.strip(" -*\t")
        ]

    def validate_learning_outcomes(self, field: TextAreaField) -> None:
        if not self.outcomes():
            raise FormError("Enter at least one learning outcome, one per line")

    def validate_gpc_domains(self, field: SelectMultipleField) -> None:
        known = {c.value for c in field.iter_choices()}
        if not field.data:
            raise FormError("Select at least one GPC domain")
        if not set(field.data) <= known:
            raise FormError("Select GPC domains from the list")


class DiffForm(SafeForm):
    class Meta:
        csrf = False

    before = SelectField(
        "Compare version", choices=[], validate_choice=False, validators=[_in_choices]
    )
    after = SelectField("with version", choices=[], validate_choice=False, validators=[_in_choices])

    def validate_after(self, field: SelectField) -> None:
        if field.data and field.data == self.before.data:
            raise FormError("Choose two different versions to compare")
