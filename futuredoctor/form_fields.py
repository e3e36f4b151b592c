"""Form fields that several features ask for in the same words, so the same input gets
the same error message wherever a person meets it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length


def strip(value: Any) -> Any:
    """Leading and trailing spaces are never meaningful in a typed value."""
    return value.strip() if isinstance(value, str) else value


def email_field(label: str = "Email address") -> EmailField:
    return EmailField(
        label,
        filters=[strip],
        validators=[
            DataRequired("Enter an email address"),
            Email("Enter an email address in the correct format, like name@example.nhs.uk"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )


def name_field(label: str, *extra: Callable[..., Any]) -> StringField:
    """A required person's name (given or family), at most 100 characters."""
    return StringField(
        label,
        filters=[strip],
        validators=[
            DataRequired(f"Enter a {label.lower()}"),
            Length(max=100, message=f"{label} must be 100 characters or fewer"),
            *extra,
        ],
    )
