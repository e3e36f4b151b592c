"""Form fields that several features ask for in the same words, so the same input gets
the same error message wherever a person meets it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from wtforms import EmailField, Field, StringField
from wtforms.validators import DataRequired, Email, Length


def strip(value: Any) -> Any:
    """Leading and trailing spaces are never meaningful in a typed value."""
    return value.strip() if isinstance(value, str) else value


def bounded_text(
    label: str,
    max_length: int,
    *,
    noun: str | None = None,
    required: str | None = None,
    kind: type[Field] = StringField,
    filters: Sequence[Callable[..., Any]] = (strip,),
    extra: Sequence[Callable[..., Any]] = (),
) -> Any:
    """Typed text of at most ``max_length`` characters. ``required`` is the message for an
    empty answer (None: it may be left empty); ``noun`` names it in the length message."""
    validators: list[Any] = [DataRequired(required)] if required else []
    validators.append(
        Length(
            max=max_length,
            message=f"{noun or label} must be {max_length:,} characters or fewer",
        )
    )
    return kind(label, filters=list(filters), validators=[*validators, *extra])


def email_field(
    label: str = "Email address", missing: str = "Enter an email address"
) -> EmailField:
    return EmailField(
        label,
        filters=[strip],
        validators=[
            DataRequired(missing),
            Email("Enter an email address in the correct format, like name@example.nhs.uk"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )


def name_field(label: str, *extra: Callable[..., Any]) -> StringField:
    """A required person's name (given or family), at most 100 characters."""
    return bounded_text(label, 100, required=f"Enter a {label.lower()}", extra=extra)
