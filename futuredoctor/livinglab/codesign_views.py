"""Co-design sessions: the list, recording one with its suggestions, and its page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import StringField

from futuredoctor.livinglab import codesign
from futuredoctor.livinglab.blueprint import TRIAGE, bp, pagination
from futuredoctor.livinglab.forms import AddSuggestionForm, SessionForm
from futuredoctor.livinglab.scope import modules_in_scope
from futuredoctor.models import CodesignSession, FeedbackSource
from futuredoctor.paging import page_number
from futuredoctor.permissions import actor, requires
from futuredoctor.refusals import Refusal, show_refusal
from futuredoctor.version_picker import PICKER_LIMIT, VersionPicker, version_picker


def _versions(find: StringField, keep: list[str | None]) -> VersionPicker:
    """The bounded version picker over the user's modules, searched by ``find``."""
    return version_picker(
        (find.data or "") if not find.errors else "", keep, modules_in_scope(actor())
    )


def _version_choices(picker: VersionPicker) -> list[tuple[str, str]]:
    return [("", "Choose a module version"), *picker.choices("{title} (version {number})")]


def _finding(form: SessionForm | AddSuggestionForm) -> bool:
    """A press of "Find versions": check only the search; nothing is saved."""
    if request.method != "POST" or request.form.get("action") != "find":
        return False
    form.find.validate(form)
    return True


@bp.get("/codesign")
@requires(TRIAGE)
def sessions() -> str:
    page = codesign.sessions_page(actor(), page_number(request.args.get("page")))
    return render_template(
        "livinglab/sessions.html",
        page=page,
        pagination=pagination(page),
        total_attendees=codesign.total_attendees,
    )


def _session_form() -> tuple[SessionForm, VersionPicker, bool]:
    """The form, its version picker, and whether this request only searches the picker."""
    form = SessionForm()
    pilots = codesign.pilots_for(actor())
    form.pilot.choices = [(p.slug, f"{p.name} ({p.region.name})") for p in pilots]
    if len(pilots) != 1:
        form.pilot.choices.insert(0, ("", "Choose a pilot"))
    finding = _finding(form)
    picker = _versions(form.find, [entry.form.version.data for entry in form.suggestions])
    versions = _version_choices(picker)
    for entry in form.suggestions:
        entry.form.version.choices = versions
    return form, picker, finding


@bp.route("/codesign/new", methods=["GET", "POST"])
@requires(TRIAGE)
def session_new() -> tuple[str, int] | Response:
    form, picker, finding = _session_form()
    if finding:
        code = 400 if form.find.errors else 200
        return _render_session_new(form, picker, code)
    if form.validate_on_submit():
        pilots = {p.slug: p for p in codesign.pilots_for(actor())}
        suggestions = [
            codesign.Suggestion(int(entry.form.version.data), entry.form.text.data)
            for entry in form.suggestions
            if entry.form.text.data
        ]
        counts = {name: getattr(form, name).data for name in codesign.ATTENDEE_KINDS}
        assert form.held_on is not None
        try:
            session, created = codesign.record_session(
                pilots[form.pilot.data],
                form.held_on,
                form.title.data or "",
                counts,
                form.notes.data,
                suggestions,
                actor(),
            )
        except Refusal as refusal:
            show_refusal(form, refusal)
        else:
            if created:
                count = len(suggestions)
                flash(
                    f"Recorded “{session.title}” with {count} suggestion"
                    f"{'' if count == 1 else 's'}.",
                    "success",
                )
            else:
                flash(f"“{session.title}” was already recorded.", "info")
            return redirect(url_for("livinglab.session", session_id=session.id))
    return _render_session_new(form, picker, 400 if form.errors else 200)


def _render_session_new(form: SessionForm, picker: VersionPicker, code: int) -> tuple[str, int]:
    return render_template(
        "livinglab/session_new.html", form=form, picker=picker, picker_limit=PICKER_LIMIT
    ), code


def _render_session(
    session: CodesignSession,
    form: AddSuggestionForm | None = None,
    code: int = 200,
    picker: VersionPicker | None = None,
) -> tuple[str, int]:
    if form is None or picker is None:
        form = AddSuggestionForm()
        picker = _versions(form.find, [])
        form.version.choices = _version_choices(picker)
    return render_template(
        "livinglab/session.html",
        session=session,
        attendees=codesign.attendees(session),
        total=codesign.total_attendees(session),
        items=codesign.session_items(session),
        form=form,
        picker=picker,
        picker_limit=PICKER_LIMIT,
    ), code


@bp.get("/codesign/<int:session_id>")
@requires(TRIAGE, codesign_session="session_id")
def session(codesign_session: CodesignSession) -> tuple[str, int]:
    return _render_session(codesign_session)


@bp.post("/codesign/<int:session_id>/suggestions")
@requires(TRIAGE, codesign_session="session_id")
def session_suggestion(codesign_session: CodesignSession) -> tuple[str, int] | Response:
    form = AddSuggestionForm()
    finding = _finding(form)
    picker = _versions(form.find, [form.version.data])
    form.version.choices = _version_choices(picker)
    if finding:
        return _render_session(codesign_session, form, 400 if form.find.errors else 200, picker)
    if form.validate_on_submit():
        suggestion = codesign.Suggestion(
            int(form.version.data), form.text.data or "", FeedbackSource(form.source.data)
        )
        if codesign.find_suggestion(codesign_session, suggestion) is not None:
            flash("That suggestion was already added.", "info")  # a second submit
        else:
            item = codesign.add_suggestion(codesign_session, suggestion, actor())
            flash(f"Added suggestion {item.id}.", "success")
        return redirect(url_for("livinglab.session", session_id=codesign_session.id))
    return _render_session(codesign_session, form, 400, picker)
