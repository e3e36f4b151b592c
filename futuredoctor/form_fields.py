"""Form fields that several features ask for in the same words, so the same input gets
the same error message wherever a person meets it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    FieldList,
    Form,
    FormField,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, StopValidation

from futuredoctor.typed_text import (
    MAX_DB_INT,
    MIN_DB_INT,
    control_problem,
    db_int,
    strip_bidi_controls,
    text_problem,
)


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


# --- hygiene every form gets --------------------------------------------------------------

DEFAULT_MAX_LENGTH = 10_000  # for text fields that declare no Length of their own


def search_field(max_length: int = 100) -> StringField:
    """The optional free-text search of a filter form, capped so it stays a search."""
    return StringField(
        "Search",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=max_length, message=f"Search must be {max_length} characters or fewer"),
        ],
    )


def version_search_field() -> StringField:
    """The search of a module-version picker (``futuredoctor.version_picker``)."""
    return StringField(
        "Find a module version",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=100, message="The search must be 100 characters or fewer"),
        ],
    )


def contributor_search_field() -> StringField:
    """The search of a public-contributor picker (``futuredoctor.livinglab.contributor_picker``)."""
    return StringField(
        "Find a public contributor",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=100, message="The search must be 100 characters or fewer"),
        ],
    )


def _clean_text(value: Any) -> Any:
    """Bidi controls are removed before anything else sees the value."""
    return strip_bidi_controls(value) if isinstance(value, str) else value


def _label(field: Field) -> str:
    text = field.label.text if field.label else field.name
    return text.split(" (")[0] or field.name


def _check_text(form: Any, field: Field) -> None:
    multi_line = isinstance(field, TextAreaField)
    values = field.data if isinstance(field.data, list) else [field.data]
    for value in values:
        if isinstance(value, str):
            problem = (
                control_problem(value, multi_line=multi_line)
                if isinstance(field, PasswordField)
                else text_problem(value, multi_line=multi_line)
            )
            if problem:
                raise StopValidation(f"{_label(field)} {problem}")
        elif isinstance(value, int) and not MIN_DB_INT <= value <= MAX_DB_INT:
            raise StopValidation(f"{_label(field)} is not one we know")
    unbounded = not any(isinstance(v, Length) for v in field.validators)
    if (
        unbounded
        and isinstance(field.data, str)
        and len(field.data) > DEFAULT_MAX_LENGTH
        and not isinstance(field, PasswordField)
    ):
        raise StopValidation(f"{_label(field)} must be {DEFAULT_MAX_LENGTH:,} characters or fewer")


class HygieneMeta:
    """Binds every field of a form with the shared input rules: bidi controls removed
    from text, and NUL/control characters, invisible-only text, line breaks in single-line
    fields and integers beyond the database's range refused as field errors. Being on the
    form's Meta, no field can forget them."""

    def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
        field = unbound_field.bind(form=form, **options)
        if isinstance(field, StringField) and not isinstance(field, PasswordField):
            field.filters = (_clean_text, *field.filters)
        if not isinstance(field, BooleanField | FileField | FormField | FieldList):
            field.validators = [_check_text, *field.validators]
        return field


class SafeForm(FlaskForm):
    """The base of every form in the app (a test checks none is missed)."""

    class Meta(HygieneMeta):
        pass


class SafeSubForm(Form):
    """The base of a form nested in another (``FormField``)."""

    class Meta(HygieneMeta):
        pass


def database_id(message: str) -> Callable[[Any, Field], None]:
    """A hidden or chosen record id: blank passes (``DataRequired`` decides), anything that
    is not an id the database's integer column can hold is refused with ``message``, so
    the view can treat it as "not found" without ever querying with it."""

    def check(form: Any, field: Field) -> None:
        if field.data not in (None, "") and db_int(field.data) is None:
            raise StopValidation(message)

    return check
