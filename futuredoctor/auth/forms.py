"""Sign-in forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Email, Length


class LoginForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address"),
            Email("Enter an email address in the correct format, like name@example.nhs.uk"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
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
