"""Forms for champion profiles, the directory's filters and messages to champions."""

from __future__ import annotations

from collections.abc import Callable

from wtforms import RadioField, SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError as FormError

from futuredoctor.community.messages import MAX_MESSAGE
from futuredoctor.form_fields import SafeForm, bounded_text, search_field
from futuredoctor.models import ProfileVisibility
from futuredoctor.select_options import choice_values


def in_choices(form: SafeForm, field: SelectField) -> None:
    if (field.data or "") not in choice_values(field):
        raise FormError(f"Choose a {field.label.text.lower()} from the list")


def all_in_choices(message: str) -> Callable[[SafeForm, SelectMultipleField], None]:
    def check(form: SafeForm, field: SelectMultipleField) -> None:
        if not set(field.data or []) <= {c.value for c in field.iter_choices()}:
            raise FormError(message)

    return check


class ProfileForm(SafeForm):
    region = SelectField("Region", choices=[], validate_choice=False, validators=[in_choices])
    profession = bounded_text("Profession", 100, required="Enter your profession")
    job_title = bounded_text("Role", 200, required="Enter your role, for example GP partner")
    about = bounded_text("About you (optional)", 2000, noun="About you", kind=TextAreaField)
    availability = bounded_text("Availability (optional)", 500, noun="Availability")
    domains = SelectMultipleField(
        "GPC domains",
        choices=[],
        validate_choice=False,
        validators=[all_in_choices("Choose GPC domains from the list")],
    )
    priorities = SelectMultipleField(
        "Local health priorities",
        choices=[],
        validate_choice=False,
        validators=[all_in_choices("Choose local health priorities from the list")],
    )
    offers = SelectMultipleField(
        "What you offer",
        choices=[],
        validate_choice=False,
        validators=[all_in_choices("Choose what you offer from the list")],
    )
    visibility = RadioField(
        "Who can see your profile",
        choices=[
            SelectChoice(ProfileVisibility.SIGNED_IN.value, "People signed in to the platform"),
            SelectChoice(ProfileVisibility.PUBLIC.value, "Anyone, including people not signed in"),
        ],
        default=ProfileVisibility.SIGNED_IN.value,
        validate_choice=False,
    )

    def validate_visibility(self, field: RadioField) -> None:
        if field.data not in {v.value for v in ProfileVisibility}:
            raise FormError("Choose who can see your profile")


class DirectoryFilterForm(SafeForm):
    """Read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    region = SelectField("Region", choices=[], validate_choice=False, validators=[in_choices])
    domain = SelectField("GPC domain", choices=[], validate_choice=False, validators=[in_choices])
    priority = SelectField(
        "Local health priority", choices=[], validate_choice=False, validators=[in_choices]
    )
    profession = SelectField(
        "Profession", choices=[], validate_choice=False, validators=[in_choices]
    )
    offer = SelectField("Offer", choices=[], validate_choice=False, validators=[in_choices])
    text = search_field()


class MessageForm(SafeForm):
    body = bounded_text(
        "Your message",
        MAX_MESSAGE,
        noun="Message",
        required="Enter your message",
        kind=TextAreaField,
    )
