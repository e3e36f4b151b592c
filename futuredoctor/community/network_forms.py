"""Forms for the trailblazer network: a post, the list's filters, a comment, a reason."""

from __future__ import annotations

from wtforms import HiddenField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired

from futuredoctor.community.forms import all_in_choices, in_choices
from futuredoctor.community.network import MAX_BODY, MAX_COMMENT, MAX_REASON, MAX_TITLE
from futuredoctor.form_fields import SafeForm, bounded_text, search_field


class PostForm(SafeForm):
    title = bounded_text("Title", MAX_TITLE, required="Enter a title")
    body = bounded_text(
        "What you learned",
        MAX_BODY,
        required="Enter what you learned",
        kind=TextAreaField,
        filters=(),
    )
    region = SelectField("Region", choices=[], validate_choice=False, validators=[in_choices])
    module = SelectField("Module", choices=[], validate_choice=False, validators=[in_choices])
    domains = SelectMultipleField(
        "GPC domains",
        choices=[],
        validate_choice=False,
        validators=[all_in_choices("Choose GPC domains from the list")],
    )
    priorities = SelectMultipleField(
        "Local health priorities",
        choices=[],
        validate_choice=False,
        validators=[all_in_choices("Choose local health priorities from the list")],
    )


class PostFilterForm(SafeForm):
    """Read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    region = SelectField("Region", choices=[], validate_choice=False, validators=[in_choices])
    domain = SelectField("GPC domain", choices=[], validate_choice=False, validators=[in_choices])
    priority = SelectField(
        "Local health priority", choices=[], validate_choice=False, validators=[in_choices]
    )
    module = SelectField("Module", choices=[], validate_choice=False, validators=[in_choices])
    text = search_field()


class CommentForm(SafeForm):
    body = bounded_text(
        "Your comment",
        MAX_COMMENT,
        noun="Comment",
        required="Enter your comment",
        kind=TextAreaField,
    )


class ReasonForm(SafeForm):
    reason = bounded_text("Reason", MAX_REASON, required="Enter the reason", kind=TextAreaField)


class FollowForm(SafeForm):
    """A follow or unfollow button: what (kind and value) and the page to go back to."""

    kind = HiddenField("What to follow", validators=[InputRequired()])
    value = bounded_text("Value", 200, required="Choose something to follow", kind=HiddenField)
    undo = HiddenField("Unfollow")
    next = HiddenField("Back to")


class QueueActionForm(SafeForm):
    """A moderator's decision from the queue: hide, restore or dismiss, with a reason."""

    action = HiddenField("Action", validators=[InputRequired()])
    reason = bounded_text("Reason", MAX_REASON, kind=TextAreaField)
