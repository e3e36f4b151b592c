"""Forms for the participant's pages. Limits are checked here for the field messages and
again in the services, which are the rule."""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from futuredoctor.form_fields import SafeForm
from futuredoctor.learning.account import CLOSURE_REASON_MAX
from futuredoctor.learning.feedback import FEEDBACK_TEXT_MAX
from futuredoctor.learning.progress import REFLECTION_MAX

LIKERT = [
    SelectChoice("1", "Strongly disagree"),
    SelectChoice("2", "Disagree"),
    SelectChoice("3", "Neither agree nor disagree"),
    SelectChoice("4", "Agree"),
    SelectChoice("5", "Strongly agree"),
]


def _normalise(value: Any) -> Any:
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


class ActionForm(SafeForm):
    """A CSRF-protected POST button (start, complete)."""


class StartForm(SafeForm):
    version = IntegerField("Version", validators=[Optional()])


class ReflectionForm(SafeForm):
    reflection = TextAreaField(
        "Your reflection",
        filters=[_normalise],
        validators=[
            Length(
                max=REFLECTION_MAX,
                message=f"Reflection must be {REFLECTION_MAX:,} characters or fewer",
            )
        ],
    )


class _Likert(RadioField):
    """A 1–5 rating whose out-of-range answers get a message naming the question."""

    def __init__(self, label: str, subject: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("choices", LIKERT)
        super().__init__(label, validate_choice=False, **kwargs)
        self.subject = subject

    def pre_validate(self, form: Any) -> None:
        if self.data not in {choice.value for choice in LIKERT}:
            raise ValidationError(f"Choose how much you agree that {self.subject}, from 1 to 5")


class FeedbackForm(SafeForm):
    relevance = _Likert(
        "This module was relevant to my work", "the module was relevant to your work"
    )
    quality = _Likert(
        "This module was well made: clear, accurate and well paced", "the module was well made"
    )
    applicability = _Likert(
        "I can apply what I learned in my practice", "you can apply it in your practice"
    )
    text = TextAreaField(
        "What worked, and what would you change? (optional)",
        filters=[_normalise],
        validators=[
            Length(
                max=FEEDBACK_TEXT_MAX,
                message=f"Comments must be {FEEDBACK_TEXT_MAX:,} characters or fewer",
            )
        ],
    )
    notify_on_action = BooleanField("Tell me what changes as a result of my feedback")


class ClosureForm(SafeForm):
    reason = TextAreaField(
        "Why do you want to close your account? (optional)",
        filters=[_normalise],
        validators=[
            Length(
                max=CLOSURE_REASON_MAX,
                message=f"Reason must be {CLOSURE_REASON_MAX:,} characters or fewer",
            )
        ],
    )


class AttendanceForm(SafeForm):
    """The attendance register: the enrolments ticked as present (checked in ``evidence``)."""

    attended = SelectMultipleField("Who attended", coerce=int, validate_choice=False)


class VerifyForm(SafeForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    code = StringField("Verification code", validators=[Optional(), Length(max=40)])
