"""Forms for the export page, API tokens and the export record filter.

The export form only collects the raw values: ``scope.parse_request`` validates them, the
same way for the web and the API, and the view puts its messages on these fields.
"""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from futuredoctor.evaluation.records import CHANNELS
from futuredoctor.evaluation.tokens import EXPIRY_CHOICES
from futuredoctor.form_fields import SafeForm, bounded_text, database_id


class ExportForm(SafeForm):
    project = SelectField("Evaluation project", choices=[], validate_choice=False)
    kind = StringField("Package")
    scope = SelectMultipleField("Regions and pilots", choices=[], validate_choice=False)
    date_from = StringField("Start date")
    date_to = StringField("End date")
    free_text = SelectMultipleField("Free text", choices=[], validate_choice=False)


class TokenForm(SafeForm):
    name = bounded_text("Token name", 100, required="Enter a name for the token")
    expiry = SelectField(
        "Expires after",
        choices=[SelectChoice(v, label) for v, label in EXPIRY_CHOICES],
        default="90",
        validate_choice=False,
        validators=[AnyOf([v for v, _ in EXPIRY_CHOICES], message="Select when the token expires")],
    )


class RevokeForm(SafeForm):
    token_id = HiddenField(
        validators=[
            DataRequired("Choose a token to revoke"),
            database_id("Choose a token to revoke"),
        ]
    )


class ExportRecordFilterForm(SafeForm):
    """The export record filter: read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    channel = SelectField(
        "Channel",
        choices=[
            SelectChoice("", "Web and API"),
            *(SelectChoice(k, v) for k, v in CHANNELS.items()),
        ],
        validate_choice=False,
        validators=[Optional(), AnyOf(list(CHANNELS), message="Select web or API")],
    )
    person = StringField(
        "Email address",
        validators=[
            Optional(),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )


class ProjectForm(SafeForm):
    name = bounded_text("Project name", 200, required="Enter the project's name")
    approval_reference = bounded_text(
        "Approval reference", 100, required="Enter the approval reference"
    )
    scopes = SelectMultipleField("Regions and pilots", choices=[], validate_choice=False)
    starts_on = StringField("Start date")
    ends_on = StringField("End date")


class AccessForm(SafeForm):
    email = bounded_text("Evaluator's email address", 254, required="Enter an email address")
    participant_level = BooleanField("Allow participant-level data")
    approval_reference = bounded_text("Approval reference for participant-level data", 100)
