"""Co-design sessions: the list, recording one with its suggestions, and its page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import StringField

from futuredoctor.livinglab import codesign
from futuredoctor.livinglab.blueprint import TRIAGE, bp, pagination
from futuredoctor.livinglab.contributor_forms import (
    ATTENDEE_LABELS,
    AttendeeForm,
    RemoveAttendeeForm,
)
from futuredoctor.livinglab.contributor_picker import PICKER_LIMIT as CONTRIBUTOR_LIMIT
from futuredoctor.livinglab.contributor_picker import ContributorPicker, contributor_picker
from futuredoctor.livinglab.forms import AddSuggestionForm, HeadcountForm, SessionForm
from futuredoctor.models import AttendeeKind, CodesignSession, FeedbackSource
from futuredoctor.paging import page_number
from futuredoctor.permissions import actor, pilot_id_list, requires
from futuredoctor.refusals import Refusal, show_refusal
from futuredoctor.request_memo import request_memo
from futuredoctor.version_picker import PICKER_LIMIT, VersionPicker, version_picker


def _versions(find: StringField, keep: list[str | None]) -> VersionPicker:
    """The bounded version picker over the user's modules, searched by ``find``."""
    return version_picker(
        (find.data or "") if not find.errors else "", keep, pilot_id_list(actor(), TRIAGE)
    )


def _version_choices(picker: VersionPicker) -> list[tuple[str, str]]:
    return [("", "Choose a module version"), *picker.choices("{title} (version {number})")]


def _finding(form: SessionForm | AddSuggestionForm) -> bool:
    """A press of "Find versions" (or "Find contributors"): check only the searches;
    nothing is saved."""
    action = request.form.get("action") if request.method == "POST" else None
    if action not in ("find", "find-contributor"):
        return False
    form.find.validate(form)
    if isinstance(form, AddSuggestionForm):
        form.find_contributor.validate(form)
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


def _people(
    session: CodesignSession, find: StringField, chosen: str | None
) -> ContributorPicker:
    """The bounded picker over the session pilot's current public contributors, searched
    by ``find``, keeping the one chosen."""
    search = (find.data or "") if not find.errors else ""
    # The page's two forms (a suggestion, an attendee) usually ask for the same picker:
    # it is read once per request.
    asked = request_memo("contributor_pickers")
    key = (search, chosen, session.pilot_id)
    if key not in asked:
        asked[key] = contributor_picker(actor(), search, [chosen], pilot_id=session.pilot_id)
    picker: ContributorPicker = asked[key]
    return picker


def _attendee_form(session: CodesignSession) -> tuple[AttendeeForm, ContributorPicker, bool]:
    """The attendee form, its contributor picker, and whether this request only searches."""
    form = AttendeeForm(prefix="attendee")
    finding = request.method == "POST" and request.form.get("action") == "find-contributor"
    if finding:
        form.find_contributor.validate(form)
    people = _people(session, form.find_contributor, form.contributor.data)
    form.contributor.choices = people.choices()
    return form, people, finding


def _suggestion_form(
    session: CodesignSession,
) -> tuple[AddSuggestionForm, VersionPicker, ContributorPicker, bool]:
    """The suggestion form, its bounded version and contributor pickers (keeping what was
    chosen), and whether this request only searches a picker."""
    form = AddSuggestionForm()
    finding = _finding(form)
    picker = _versions(form.find, [form.version.data])
    form.version.choices = _version_choices(picker)
    people = _people(session, form.find_contributor, form.contributor.data)
    form.contributor.choices = people.choices()
    return form, picker, people, finding


Suggesting = tuple[AddSuggestionForm, VersionPicker, ContributorPicker]
Attending = tuple[AttendeeForm, ContributorPicker]


def _render_session(
    session: CodesignSession,
    code: int = 200,
    suggesting: Suggesting | None = None,
    attending: Attending | None = None,
) -> tuple[str, int]:
    """The session's page; a form given (with its pickers) is shown as it was sent."""
    if suggesting is None:
        form, picker, people, _ = _suggestion_form(session)
    else:
        form, picker, people = suggesting
    if attending is None:
        attendee_form, attendee_people, _ = _attendee_form(session)
    else:
        attendee_form, attendee_people = attending
    return render_template(
        "livinglab/session.html",
        session=session,
        groups=codesign.attendee_groups(session),
        attendee_name=codesign.attendee_name,
        total=codesign.total_attendees(session),
        items=codesign.session_items(session),
        form=form,
        attendee_form=attendee_form,
        remove_form=RemoveAttendeeForm(),
        picker=picker,
        picker_limit=PICKER_LIMIT,
        people=people,
        attendee_people=attendee_people,
        people_limit=CONTRIBUTOR_LIMIT,
    ), code


@bp.get("/codesign/<int:session_id>")
@requires(TRIAGE, codesign_session="session_id")
def session(codesign_session: CodesignSession) -> tuple[str, int]:
    return _render_session(codesign_session)


@bp.post("/codesign/<int:session_id>/suggestions")
@requires(TRIAGE, codesign_session="session_id")
def session_suggestion(codesign_session: CodesignSession) -> tuple[str, int] | Response:
    form, picker, people, finding = _suggestion_form(codesign_session)
    suggesting = (form, picker, people)
    if finding:
        code = 400 if form.find.errors or form.find_contributor.errors else 200
        return _render_session(codesign_session, code, suggesting)
    if form.validate_on_submit():
        suggestion = codesign.Suggestion(
            int(form.version.data),
            form.text.data or "",
            FeedbackSource(form.source.data),
            int(form.contributor.data) if form.contributor.data else None,
        )
        if codesign.find_suggestion(codesign_session, suggestion) is not None:
            flash("That suggestion was already added.", "info")  # a second submit
            return redirect(url_for("livinglab.session", session_id=codesign_session.id))
        try:
            item = codesign.add_suggestion(codesign_session, suggestion, actor())
        except Refusal as refusal:
            show_refusal(form, refusal, "text")
        else:
            flash(f"Added suggestion {item.id}.", "success")
            return redirect(url_for("livinglab.session", session_id=codesign_session.id))
    return _render_session(codesign_session, 400, suggesting)


@bp.post("/codesign/<int:session_id>/attendees")
@requires(TRIAGE, codesign_session="session_id")
def session_attendee(codesign_session: CodesignSession) -> tuple[str, int] | Response:
    """List someone who came: a recorded public contributor, or anyone by name or role."""
    form, people, finding = _attendee_form(codesign_session)
    if finding:
        code = 400 if form.find_contributor.errors else 200
        return _render_session(codesign_session, code, attending=(form, people))
    if form.validate_on_submit():
        try:
            attendee = codesign.add_attendee(
                codesign_session,
                AttendeeKind(form.kind.data),
                people.by_key().get(form.contributor.data or ""),
                form.description.data,
            )
        except Refusal as refusal:
            show_refusal(form, refusal, "description")
        else:
            kind = ATTENDEE_LABELS[attendee.kind].lower()
            flash(f"Listed {codesign.attendee_name(attendee)} with the {kind}.", "success")
            return redirect(
                url_for("livinglab.session", session_id=codesign_session.id) + "#attendees"
            )
    return _render_session(codesign_session, 400, attending=(form, people))


@bp.route("/codesign/<int:session_id>/headcount", methods=["GET", "POST"])
@requires(TRIAGE, codesign_session="session_id")
def session_headcount(codesign_session: CodesignSession) -> tuple[str, int] | Response:
    """Correct the headcount by type after the session was recorded (audited)."""
    form = HeadcountForm()
    if request.method == "GET":
        for name in codesign.ATTENDEE_KINDS:
            getattr(form, name).data = getattr(codesign_session, name)
    elif form.validate_on_submit():
        counts = {name: getattr(form, name).data for name in codesign.ATTENDEE_KINDS}
        try:
            changed = codesign.set_headcount(codesign_session, counts, actor())
        except Refusal as refusal:
            show_refusal(form, refusal)
        else:
            if changed:
                flash("Saved the headcount.", "success")
            else:
                flash("The headcount was already as entered.", "info")
            return redirect(
                url_for("livinglab.session", session_id=codesign_session.id) + "#attendees"
            )
    return render_template(
        "livinglab/session_headcount.html",
        session=codesign_session,
        form=form,
        fields=list(codesign.ATTENDEE_KINDS),
        max_count=codesign.MAX_HEADCOUNT,
    ), 400 if form.errors else 200


@bp.post("/codesign/<int:session_id>/attendees/remove")
@requires(TRIAGE, codesign_session="session_id")
def session_attendee_remove(codesign_session: CodesignSession) -> tuple[str, int] | Response:
    form = RemoveAttendeeForm()
    if not form.validate_on_submit():
        return _render_session(codesign_session, code=400)
    removed = codesign.remove_attendee(codesign_session, int(form.attendee.data or 0))
    if removed is None:
        flash("That attendee was already taken off the list.", "info")
    else:
        flash(
            f"Took {codesign.attendee_name(removed)} off the list of attendees. The "
            "headcount is unchanged.",
            "success",
        )
    return redirect(url_for("livinglab.session", session_id=codesign_session.id) + "#attendees")
