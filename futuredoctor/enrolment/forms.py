"""Forms for enrolment: staff actions, the CSV upload, requests to join, invitations and
research consent. Rules shared with the CSV import live in ``registration``."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from futuredoctor.enrolment.registration import (
    BODY_NAMES,
    GROUP_LABELS,
    Problem,
    needs_career_stage,
    normalise_body,
    normalise_number,
    registration_problems,
    stage_to_store,
)
from futuredoctor.form_fields import SafeForm, bounded_text, email_field, name_field, strip
from futuredoctor.models import CAREER_STAGES, Cohort, EnrolmentStatus
from futuredoctor.passwords import MIN_PASSWORD_LENGTH
from futuredoctor.spreadsheet import starts_like_formula


def _no_formula(form: Any, field: Any) -> None:
    if field.data and starts_like_formula(field.data):
        raise ValidationError(f"{field.label.text} must not start with = + - or @")


class PersonForm(SafeForm):
    """A person's details, as for one row of the enrolment CSV."""

    email = email_field()
    given_name = name_field("Given name", _no_formula)
    family_name = name_field("Family name", _no_formula)
    professional_group = SelectField(
        "Professional group",
        choices=[SelectChoice("", "Choose a professional group")]
        + [SelectChoice(v, label) for v, label in GROUP_LABELS.items()],
        validate_choice=False,
        validators=[
            DataRequired("Select a professional group"),
            AnyOf(list(GROUP_LABELS), message="Select a professional group from the list"),
        ],
    )
    registration_body = SelectField(
        "Registration body",
        choices=[SelectChoice("", "None or not applicable")]
        + [SelectChoice(code, name) for code, name in BODY_NAMES.items()],
        validate_choice=False,
        validators=[Optional(), AnyOf(list(BODY_NAMES), message="Select a body from the list")],
    )
    registration_number = StringField(
        "Registration number",
        filters=[strip, lambda v: normalise_number(v) if isinstance(v, str) else v],
        validators=[Length(max=16, message="Registration number must be 16 characters or fewer")],
    )
    career_stage = SelectField(
        "Career stage",
        description="Doctors choose their training grade. Leave it blank for nurses, "
        "midwives, pharmacists and allied health professionals: it is recorded as not "
        "applicable.",
        choices=[SelectChoice("", "Not applicable (no training grade)")]
        + [SelectChoice(s, s if s != "other" else "Other") for s in CAREER_STAGES],
        validate_choice=False,
        validators=[
            Optional(),
            AnyOf(list(CAREER_STAGES), message="Select a career stage from the list"),
        ],
    )
    employer = bounded_text("Employer (optional)", 200, noun="Employer", extra=[_no_formula])

    def check_against(self, cohort: Cohort) -> bool:
        """Apply the registration and eligibility rules; errors go next to their fields."""
        from futuredoctor.enrolment.registration import eligibility_problems

        ok = self.validate()
        group = (
            self.professional_group.data if self.professional_group.data in GROUP_LABELS else None
        )
        body = normalise_body(self.registration_body.data or "")
        problems = registration_problems(group, body, self.registration_number.data or "")
        stage = self.career_stage.data if self.career_stage.data in CAREER_STAGES else None
        if not self.career_stage.data and group is not None and needs_career_stage(group):
            problems.append(
                Problem("career_stage", "Select a career stage (doctors give their training grade)")
            )
        stage = stage_to_store(group, stage)
        problems += eligibility_problems(cohort, group, stage)
        for problem in problems:
            field = getattr(self, problem.field)
            if not field.errors:
                field.errors = [*field.errors, problem.message]
            ok = False
        if ok and stage is not None:
            self.career_stage.data = stage  # "not applicable" when left blank on purpose
        return ok


class JoinRequestForm(PersonForm):
    message = bounded_text(
        "Anything the pilot team should know (optional)",
        2000,
        noun="Message",
        kind=TextAreaField,
    )


class ImportForm(SafeForm):
    file = FileField("Upload a CSV file")
    waitlist_overflow = BooleanField(
        "If a cohort fills up, put the remaining people on its waitlist"
    )


class EnrolmentActionForm(SafeForm):
    """A button acting on one enrolment of the cohort in the URL."""

    enrolment_id = IntegerField(validators=[InputRequired()])


class ActionForm(SafeForm):
    """Empty: a CSRF-protected POST button."""


class DecisionForm(SafeForm):
    request_id = IntegerField(validators=[InputRequired()])
    decision = HiddenField(validators=[AnyOf(["approve", "decline"])])
    reason = bounded_text(
        "Reason for declining (optional, sent to the person)",
        500,
        noun="Reason",
        kind=TextAreaField,
    )


CONSENT_CHOICES = [
    SelectChoice("yes", "Yes, my records may be used for the evaluation"),
    SelectChoice("no", "No, do not use my records for the evaluation"),
]


class AcceptInvitationForm(SafeForm):
    password = PasswordField("Create a password")
    confirm = PasswordField(
        "Confirm your password", validators=[EqualTo("password", "Passwords must match")]
    )
    consent = RadioField(
        "Do you agree to the research use described above?",
        choices=CONSENT_CHOICES,
        validate_choice=False,
        validators=[AnyOf(["yes", "no"], message="Select yes or no for research use")],
    )

    def __init__(self, *args: Any, needs_password: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.needs_password = needs_password

    def validate_password(self, field: PasswordField) -> None:
        if not self.needs_password:
            return
        length = len(field.data or "")
        if length == 0:
            raise ValidationError("Create a password")
        if length < MIN_PASSWORD_LENGTH or length > 1024:
            raise ValidationError(
                f"Password must be between {MIN_PASSWORD_LENGTH} and 1024 characters"
            )


class ConsentForm(SafeForm):
    enrolment_id = IntegerField(validators=[InputRequired()])
    consent = RadioField(
        "Research use of your records",
        choices=CONSENT_CHOICES,
        validate_choice=False,
        validators=[AnyOf(["yes", "no"], message="Select yes or no for research use")],
    )


class RequestLinkForm(SafeForm):
    email = email_field(missing="Enter your email address")


ROSTER_STATUSES = [
    SelectChoice("", "All statuses"),
    *(SelectChoice(s.value, s.value.capitalize()) for s in EnrolmentStatus),
]


class RosterSearchForm(SafeForm):
    """Read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(
        "Name, email address or registration number",
        validators=[Optional(), Length(max=254, message="Search must be 254 characters or fewer")],
    )
    status = SelectField(
        "Status",
        choices=ROSTER_STATUSES,
        validate_choice=False,
        validators=[
            Optional(),
            AnyOf([s.value for s in EnrolmentStatus], message="Select a status from the list"),
        ],
    )
