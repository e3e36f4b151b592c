"""Forms for the inbox and notification preferences."""

from __future__ import annotations

from wtforms import HiddenField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired

from futuredoctor.form_fields import SafeForm, database_id


class MarkReadForm(SafeForm):
    notification_id = HiddenField(
        validators=[DataRequired(), database_id("Choose a notification")]
    )


class MarkAllReadForm(SafeForm):
    """Only the CSRF token: marking everything read needs no input."""


class PreferencesForm(SafeForm):
    email = RadioField(
        "Email me when a module is released to me",
        choices=[
            SelectChoice("yes", "Yes, email me"),
            SelectChoice("no", "No, only show them here"),
        ],
        validators=[InputRequired("Choose whether you want emails")],
    )
    digest = RadioField(
        "Send me a weekly digest of modules I have not finished",
        choices=[
            SelectChoice("yes", "Yes, every Monday"),
            SelectChoice("no", "No, I do not want a digest"),
        ],
        validators=[InputRequired("Choose whether you want the weekly digest")],
    )
