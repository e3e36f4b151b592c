"""Forms for public contributors, feedback on someone's behalf and session attendees."""

from __future__ import annotations

from datetime import date

from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError as FormError

from futuredoctor.date_input import DateInputError, date_from_parts
from futuredoctor.form_fields import (
    SafeForm,
    bounded_text,
    contributor_search_field,
    database_id,
    search_field,
    strip,
    version_search_field,
)
from futuredoctor.livinglab.contributors import MAX_NAME, MAX_NOTES, SHOW
from futuredoctor.livinglab.on_behalf import MAX_TEXT
from futuredoctor.models import INVOLVEMENT_LABELS, AttendeeKind, FeedbackSource


def _in_choices(form: SafeForm, field: SelectField) -> None:
    if (field.data or "") not in {c.value for c in field.iter_choices()}:
        raise FormError(f"Choose a {field.label.text.lower()} from the list")


def _chosen(form: SafeForm, field: SelectField) -> None:
    """A required choice: the empty "Choose a ..." option is not an answer."""
    if not field.data:
        raise FormError(f"Select a {field.label.text.lower()}")
    _in_choices(form, field)


class ContributorFilterForm(SafeForm):
    """Read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    q = search_field()
    show = SelectField(
        "Contributors to show",
        choices=[SelectChoice(k, t) for k, t in SHOW.items()],
        default="current",
        validate_choice=False,
        validators=[_in_choices],
    )


class ContributorForm(SafeForm):
    pilot = SelectField("Pilot", choices=[], validate_choice=False, validators=[_chosen])
    display_name = bounded_text(
        "Display name or pseudonym",
        MAX_NAME,
        noun="Display name",
        required="Enter a display name or pseudonym",
    )
    involvement = SelectMultipleField(
        "How they take part",
        choices=[SelectChoice(k.value, label) for k, label in INVOLVEMENT_LABELS.items()],
        validate_choice=False,
    )
    credit_consent = RadioField(
        "Have they agreed to be named in credits?",
        choices=[
            SelectChoice("yes", "Yes, credit them by their display name"),
            SelectChoice("no", "No, do not name them"),
        ],
        validate_choice=False,
    )
    consent_on_day = StringField("Day", filters=[strip])
    consent_on_month = StringField("Month", filters=[strip])
    consent_on_year = StringField("Year", filters=[strip])
    notes = bounded_text("Notes (optional)", MAX_NOTES, noun="Notes", kind=TextAreaField)

    consent_on: date | None = None

    def validate_involvement(self, field: SelectMultipleField) -> None:
        if not field.data:
            raise FormError("Select how they take part")
        known = {c.value for c in field.iter_choices()}
        if not set(field.data) <= known:
            raise FormError("Choose how they take part from the list")

    def validate_credit_consent(self, field: RadioField) -> None:
        if field.data not in {"yes", "no"}:
            raise FormError("Select whether they agreed to be named in credits")

    def validate_consent_on_day(self, field: StringField) -> None:
        parts = (self.consent_on_day.data, self.consent_on_month.data, self.consent_on_year.data)
        if not any(parts):
            raise FormError("Enter the date they told you whether they agree to be named")
        try:
            self.consent_on = date_from_parts(*parts, what="Date", example="14 10 2026")
        except DateInputError as problem:
            raise FormError(problem.message) from None
        if self.consent_on.year < 2020:
            raise FormError("Date must be in 2020 or later")


class OnBehalfForm(SafeForm):
    pilot = SelectField("Pilot", choices=[], validate_choice=False, validators=[_chosen])
    find = version_search_field()
    version = SelectField("Module version", choices=[], validate_choice=False, validators=[_chosen])
    source = RadioField(
        "Who is the feedback from?",
        choices=[
            SelectChoice(FeedbackSource.PATIENT_PUBLIC.value, "A patient or member of the public"),
            SelectChoice(FeedbackSource.EDUCATOR.value, "An educator"),
        ],
        validate_choice=False,
    )
    find_contributor = contributor_search_field()
    contributor = SelectField(
        "Recorded public contributor", choices=[], validate_choice=False, validators=[_in_choices]
    )
    text = bounded_text(
        "Their feedback",
        MAX_TEXT,
        noun="Feedback",
        required="Enter the feedback",
        kind=TextAreaField,
    )

    def validate_source(self, field: RadioField) -> None:
        if field.data not in {FeedbackSource.PATIENT_PUBLIC.value, FeedbackSource.EDUCATOR.value}:
            raise FormError("Select who the feedback is from")


ATTENDEE_LABELS = {
    AttendeeKind.PARTICIPANT: "Participants",
    AttendeeKind.EDUCATOR: "Educators",
    AttendeeKind.PATIENT_PUBLIC: "Patients and members of the public",
    AttendeeKind.OTHER: "Other professionals",
}


class AttendeeForm(SafeForm):
    kind = SelectField(
        "Attended as",
        choices=[
            SelectChoice("", "Choose a type"),
            *(SelectChoice(k.value, t) for k, t in ATTENDEE_LABELS.items()),
        ],
        validate_choice=False,
    )
    find_contributor = contributor_search_field()
    contributor = SelectField(
        "Recorded public contributor", choices=[], validate_choice=False, validators=[_in_choices]
    )
    description = bounded_text("Name or role", 100, noun="Name or role")

    def validate_kind(self, field: SelectField) -> None:
        if field.data not in {k.value for k in AttendeeKind}:
            raise FormError("Select what they attended as")


class RemoveAttendeeForm(SafeForm):
    attendee = HiddenField(validators=[database_id("Choose an attendee to remove")])

    def validate_attendee(self, field: HiddenField) -> None:
        if not field.data:
            raise FormError("Choose an attendee to remove")
