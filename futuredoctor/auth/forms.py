"""Sign-in forms."""

from __future__ import annotations

from wtforms import HiddenField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from futuredoctor.form_fields import SafeForm, email_field


def password_field(
    label: str = "Password", missing: str = "Enter your password"
) -> PasswordField:
    """A password someone types: required, and no longer than the hasher is asked to take."""
    return PasswordField(
        label,
        validators=[
            DataRequired(missing),
            Length(max=1024, message="Password must be 1,024 characters or fewer"),
        ],
    )


class LoginForm(SafeForm):
    email = email_field(missing="Enter your email address")
    password = password_field()
    next = HiddenField()


class LogoutForm(SafeForm):
    """Empty: exists so signing out is a CSRF-protected POST."""


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

    password = password_field("New password", "Enter a new password")
    confirm = _confirmation("password")


class ChangePasswordForm(SafeForm):
    current_password = password_field("Current password", "Enter your current password")
    new_password = password_field("New password", "Enter a new password")
    confirm = _confirmation("new_password")


class ConfirmPasswordForm(SafeForm):
    """Typing the password again before a sensitive action."""

    password = password_field()
    next = HiddenField()


class ActionForm(SafeForm):
    """Empty: a CSRF-protected button (sign out everywhere)."""
