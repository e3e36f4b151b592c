"""Co-design sessions: the list, recording one with its suggestions, and its page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from futuredoctor.livinglab import codesign
from futuredoctor.livinglab.blueprint import TRIAGE, bp, pagination
from futuredoctor.livinglab.forms import AddSuggestionForm, SessionForm
from futuredoctor.models import CodesignSession, FeedbackSource
from futuredoctor.paging import page_number
from futuredoctor.permissions import actor, requires
from futuredoctor.refusals import Refusal, show_refusal


def _version_choices() -> list[tuple[str, str]]:
    return [("", "Choose a module version")] + [
        (str(v.id), f"{v.title} (version {v.number})") for v in codesign.versions_for(actor())
    ]


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


def _session_form() -> SessionForm:
    form = SessionForm()
    pilots = codesign.pilots_for(actor())
    form.pilot.choices = [(p.slug, f"{p.name} ({p.region.name})") for p in pilots]
    if len(pilots) != 1:
        form.pilot.choices.insert(0, ("", "Choose a pilot"))
    versions = _version_choices()
    for entry in form.suggestions:
        entry.form.version.choices = versions
    return form


@bp.route("/codesign/new", methods=["GET", "POST"])
@requires(TRIAGE)
def session_new() -> tuple[str, int] | Response:
    form = _session_form()
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
    code = 400 if form.errors else 200
    return render_template("livinglab/session_new.html", form=form), code


def _render_session(
    session: CodesignSession, form: AddSuggestionForm | None = None, code: int = 200
) -> tuple[str, int]:
    if form is None:
        form = AddSuggestionForm()
        form.version.choices = _version_choices()
    return render_template(
        "livinglab/session.html",
        session=session,
        attendees=codesign.attendees(session),
        total=codesign.total_attendees(session),
        items=codesign.session_items(session),
        form=form,
    ), code


@bp.get("/codesign/<int:session_id>")
@requires(TRIAGE, codesign_session="session_id")
def session(codesign_session: CodesignSession) -> tuple[str, int]:
    return _render_session(codesign_session)


@bp.post("/codesign/<int:session_id>/suggestions")
@requires(TRIAGE, codesign_session="session_id")
def session_suggestion(codesign_session: CodesignSession) -> tuple[str, int] | Response:
    form = AddSuggestionForm()
    form.version.choices = _version_choices()
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
    return _render_session(codesign_session, form, 400)
