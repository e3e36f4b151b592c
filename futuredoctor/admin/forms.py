"""Forms for managing users, their role grants and reading the audit log."""

from __future__ import annotations

from datetime import date

from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from futuredoctor.date_input import DateInputError, date_from_text
from futuredoctor.form_fields import SafeForm, email_field, name_field
from futuredoctor.models import Role

ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in Role]


class UserSearchForm(SafeForm):
    """The users list filter: read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(
        "Name or email address",
        validators=[Optional(), Length(max=254, message="Search must be 254 characters or fewer")],
    )
    role = SelectField(
        "Role",
        choices=[SelectChoice("", "All roles"), *ROLE_CHOICES],
        validate_choice=False,
        validators=[Optional(), AnyOf([c.value for c in ROLE_CHOICES], message="Select a role")],
    )


class NewUserForm(SafeForm):
    email = email_field()
    given_name = name_field("Given name")
    family_name = name_field("Family name")


class GrantForm(SafeForm):
    """Add a role grant; the scope choices are set by the view from the regions and pilots."""

    role = SelectField(
        "Role",
        choices=[SelectChoice("", "Choose a role"), *ROLE_CHOICES],
        validate_choice=False,
        validators=[
            DataRequired("Select a role"),
            AnyOf([c.value for c in ROLE_CHOICES], message="Select a role from the list"),
        ],
    )
    scope = SelectField("Scope", choices=[], validate_choice=False)

    def validate_scope(self, field: SelectField) -> None:
        values = {choice.value for choice in field.iter_choices()}
        if (field.data or "") not in values:
            raise ValidationError("Select a scope from the list")


class ActionForm(SafeForm):
    """Empty: a CSRF-protected POST button (remove a grant, unlock an account)."""


class AccountStatusForm(SafeForm):
    action = HiddenField(validators=[AnyOf(["close", "reopen"], message="Choose close or reopen")])


class AuditFilterForm(SafeForm):
    """The audit log filter: read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    action = SelectField("Action", choices=[], validate_choice=False)
    actor = StringField(
        "Actor email address",
        validators=[
            Optional(),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )

    date_from = StringField("From (UK date)", validators=[Optional(), Length(max=20)])
    date_to = StringField("To (UK date)", validators=[Optional(), Length(max=20)])

    def validate_action(self, field: SelectField) -> None:
        values = {choice.value for choice in field.iter_choices()}
        if (field.data or "") not in values:
            raise ValidationError("Select an action from the list")

    def validate_date_from(self, field: StringField) -> None:
        _check_date(field, "The from date")

    def validate_date_to(self, field: StringField) -> None:
        _check_date(field, "The to date")
        start, end = _day(self.date_from.data), _day(field.data)
        if start is not None and end is not None and end < start:
            raise ValidationError("The to date must be the same as or after the from date")


def _day(text: str | None) -> date | None:
    try:
        return date_from_text(text)
    except DateInputError:
        return None


def _check_date(field: StringField, what: str) -> None:
    try:
        date_from_text(field.data, what=what)
    except DateInputError as problem:
        raise ValidationError(problem.message) from None


class KeepOpenForm(SafeForm):
    """Decline a request to close an account; the service checks the note (required, and
    at most 2,000 characters) so the rule lives in one place."""

    note = TextAreaField("Why the account stays open (sent to the person)")
