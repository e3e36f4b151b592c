"""Sign-in forms."""

from __future__ import annotations

from wtforms import HiddenField, PasswordField
from wtforms.validators import DataRequired, Length

from futuredoctor.form_fields import SafeForm, email_field


class LoginForm(SafeForm):
    email = email_field(missing="Enter your email address")
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Enter your password"),
            Length(max=1024, message="Password must be 1024 characters or fewer"),
        ],
    )
    next = HiddenField()


class LogoutForm(SafeForm):
    """Empty: exists so signing out is a CSRF-protected POST."""
