"""Sign-in forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField
from wtforms.validators import DataRequired, Length

from futuredoctor.form_fields import email_field


class LoginForm(FlaskForm):
    email = email_field(missing="Enter your email address")
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Enter your password"),
            Length(max=1024, message="Password must be 1024 characters or fewer"),
        ],
    )
    next = HiddenField()


class LogoutForm(FlaskForm):
    """Empty: exists so signing out is a CSRF-protected POST."""
