"""Forms of the educators feature; services judge the values (levels, links, capacity)."""

from __future__ import annotations

from wtforms import (
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from futuredoctor.form_fields import SafeForm, SafeSubForm, bounded_text

LEVEL_CHOICES = [
    SelectChoice("", "Not rated"),
    *[SelectChoice(str(n), str(n)) for n in range(1, 6)],
]


class RatingEntry(SafeSubForm):
    code = HiddenField()
    level = SelectField("Level", choices=LEVEL_CHOICES, validate_choice=False)
    evidence_note = bounded_text("Evidence", 2000, kind=TextAreaField)
    evidence_link = bounded_text("Link to evidence (optional)", 500, noun="Link to evidence")


class AssessmentForm(SafeForm):
    framework_version = HiddenField()
    ratings = FieldList(FormField(RatingEntry), min_entries=0, max_entries=40)


class OptInForm(SafeForm):
    pass


class OfferForm(SafeForm):
    capacity = SelectField(
        "How many people can you mentor at once?",
        choices=[SelectChoice(str(n), str(n)) for n in range(1, 11)],
        validate_choice=False,
    )
    focus = SelectMultipleField("What can you help with?", choices=[], validate_choice=False)
    format = SelectField(
        "How would you like to meet?",
        choices=[
            SelectChoice("either", "In person or online"),
            SelectChoice("in_person", "In person"),
            SelectChoice("online", "Online"),
        ],
        validate_choice=False,
    )
    about = bounded_text("About you as a mentor (optional)", 1000, kind=TextAreaField)
    is_open = SelectField(
        "Are you taking new mentees?",
        choices=[
            SelectChoice("yes", "Yes, show me to mentees"),
            SelectChoice("no", "No, hide me for now"),
        ],
        validate_choice=False,
    )


class FindMentorForm(SafeForm):
    class Meta:
        csrf = False  # a GET search form

    focus = SelectMultipleField("What would you like help with?", choices=[], validate_choice=False)
    cross_region = SelectField(
        "Where",
        choices=[
            SelectChoice("", "Mentors in my region"),
            SelectChoice("yes", "Mentors in any region"),
        ],
        validate_choice=False,
    )


class RequestForm(SafeForm):
    message = bounded_text(
        "Message to the mentor",
        1000,
        kind=TextAreaField,
        required="Write a short message saying what you would like help with",
    )


class ResponseForm(SafeForm):
    decision = SelectField(
        "Your answer",
        choices=[
            SelectChoice("", "Choose"),
            SelectChoice("accept", "Accept"),
            SelectChoice("decline", "Decline"),
        ],
        validate_choice=False,
        validators=[InputRequired("Choose whether to accept or decline")],
    )
    note = bounded_text("Note to the mentee (optional)", 1000, kind=TextAreaField)


class AgreementForm(SafeForm):
    goals = bounded_text(
        "What you will work on together", 2000, kind=TextAreaField, required="Enter your goals"
    )
    frequency = bounded_text("How often you will meet", 200, required="Say how often you will meet")


class MeetingForm(SafeForm):
    met_on = bounded_text("Date you met", 10, required="Enter the date you met")
    notes = bounded_text(
        "Notes", 4000, kind=TextAreaField, required="Enter notes about the meeting"
    )


class EndForm(SafeForm):
    feedback = bounded_text("Feedback on the mentoring (optional)", 2000, kind=TextAreaField)


GOAL_STATUS_CHOICES = [
    SelectChoice("planned", "Planned"),
    SelectChoice("in_progress", "In progress"),
    SelectChoice("achieved", "Achieved"),
    SelectChoice("dropped", "Dropped"),
]


class GoalForm(SafeForm):
    subcompetency = SelectField("Subcompetency", choices=[], validate_choice=False)
    title = bounded_text("Goal", 200, required="Enter the goal")
    target_date = bounded_text("Target date", 10, required="Enter a target date")
    module = SelectField("Module (optional)", choices=[], validate_choice=False)


class ReviewForm(SafeForm):
    status = SelectField("Status", choices=GOAL_STATUS_CHOICES, validate_choice=False)
    target_date = bounded_text("Target date", 10, required="Enter a target date")
    review_note = bounded_text("Review note", 2000, kind=TextAreaField)


class FeedbackRequestForm(SafeForm):
    subcompetencies = SelectMultipleField(
        "What should they give feedback on?", choices=[], validate_choice=False
    )
    emails = bounded_text(
        "Email addresses",
        6000,
        kind=TextAreaField,
        required="Enter the email addresses of the people to ask",
    )
    message = bounded_text("Message to them (optional)", 2000, kind=TextAreaField)


class GiveFeedbackForm(SafeForm):
    comment = bounded_text("Comment (optional)", 2000, kind=TextAreaField)
