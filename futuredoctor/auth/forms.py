"""Sign-in forms."""

from __future__ import annotations

from wtforms import HiddenField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

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


def _new_password(label: str = "New password") -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired("Enter a new password"),
            Length(max=1024, message="Password must be 1,024 characters or fewer"),
        ],
    )


def _confirmation(of: str) -> PasswordField:
    return PasswordField(
        "Confirm the new password",
        validators=[
            DataRequired("Enter the new password again"),
            EqualTo(of, message="The two passwords do not match"),
        ],
    )


class ForgotPasswordForm(SafeForm):
    email = email_field(missing="Enter your email address")


class NewPasswordForm(SafeForm):
    """Setting a password from a reset link or a staff invitation."""

    password = _new_password()
    confirm = _confirmation("password")


class ChangePasswordForm(SafeForm):
    current_password = PasswordField(
        "Current password",
        validators=[
            DataRequired("Enter your current password"),
            Length(max=1024, message="Password must be 1,024 characters or fewer"),
        ],
    )
    new_password = _new_password()
    confirm = _confirmation("new_password")


class ConfirmPasswordForm(SafeForm):
    """Typing the password again before a sensitive action."""

    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Enter your password"),
            Length(max=1024, message="Password must be 1,024 characters or fewer"),
        ],
    )
    next = HiddenField()


class ActionForm(SafeForm):
    """Empty: a CSRF-protected button (sign out everywhere)."""
