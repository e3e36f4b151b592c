"""Mentoring pages: the mentor's offer, finding a mentor, and a pairing's own page.

A pairing is visible only to its two people; for anyone else, whatever their role, it
does not exist (404). Lead educators see counts on their home page, never the content.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from futuredoctor.educators import mentor_offers, pairings
from futuredoctor.educators.blueprint import MENTOR, bp
from futuredoctor.educators.forms import (
    AgreementForm,
    EndForm,
    FindMentorForm,
    MeetingForm,
    OfferForm,
    RequestForm,
    ResponseForm,
)
from futuredoctor.extensions import db
from futuredoctor.models import MentorOffer, Mentorship, PairingStatus, User
from futuredoctor.permissions import actor, get_owned_or_404, requires
from futuredoctor.refusals import Refusal, show_refusal


def _pairing_or_404(mentorship_id: int, user: User) -> Mentorship:
    return get_owned_or_404(
        Mentorship, mentorship_id, user, lambda m: user.id if m.includes(user.id) else -1
    )


@bp.get("/mentoring")
@requires(MENTOR)
def mentoring() -> str:
    user = actor()
    mine = pairings.pairings_of(user)
    return render_template(
        "educators/mentoring.html",
        offer=mentor_offers.offer_of(user),
        as_mentor=[p for p in mine if p.mentor_id == user.id],
        as_mentee=[p for p in mine if p.mentee_id == user.id],
        labels=dict(mentor_offers.focus_choices()),
    )


@bp.route("/mentoring/offer", methods=["GET", "POST"])
@requires(MENTOR)
def mentor_offer() -> tuple[str, int] | Response:
    user = actor()
    offer = mentor_offers.offer_of(user)
    form = OfferForm()
    form.focus.choices = mentor_offers.focus_choices()
    if not form.is_submitted() and offer is not None:
        form.capacity.data = str(offer.capacity)
        form.focus.data = list(offer.focus)
        form.format.data = offer.format.value
        form.about.data = offer.about
        form.is_open.data = "yes" if offer.is_open else "no"
    if form.validate_on_submit():
        try:
            mentor_offers.save_offer(
                user,
                form.capacity.data,
                form.focus.data or [],
                form.format.data or "",
                form.about.data or "",
                form.is_open.data != "no",
            )
        except Refusal as refusal:
            show_refusal(form, refusal)
        else:
            flash("Your mentoring offer is saved.", "success")
            return redirect(url_for("educators.mentoring"))
    return render_template("educators/offer.html", form=form, offer=offer), (
        400 if form.errors else 200
    )


@bp.get("/mentoring/find")
@requires(MENTOR)
def find_mentor() -> str:
    form = FindMentorForm(request.args)
    form.focus.choices = mentor_offers.focus_choices()
    known = dict(form.focus.choices)
    focus = [code for code in form.focus.data or [] if code in known]
    suggestions = mentor_offers.suggested_mentors(actor(), focus, form.cross_region.data == "yes")
    return render_template("educators/find.html", form=form, suggestions=suggestions, labels=known)


def _open_offer_or_404(offer_id: int) -> MentorOffer:
    """Any open offer can be asked; a closed one is not shown to anyone but its mentor."""
    offer = db.session.get(MentorOffer, offer_id)
    if offer is None or not (offer.is_open or offer.user_id == actor().id):
        abort(404)
    return offer


@bp.route("/mentoring/ask/<int:offer_id>", methods=["GET", "POST"])
@requires(MENTOR)
def ask(offer_id: int) -> tuple[str, int] | Response:
    offer = _open_offer_or_404(offer_id)
    form = RequestForm()
    if form.validate_on_submit():
        try:
            pairing = pairings.request_mentor(actor(), offer, form.message.data)
        except Refusal as refusal:
            show_refusal(form, refusal)
        else:
            flash(f"Your request was sent to {offer.mentor.full_name}.", "success")
            return redirect(url_for("educators.pairing", mentorship_id=pairing.id))
    labels = dict(mentor_offers.focus_choices())
    return render_template("educators/ask.html", form=form, offer=offer, labels=labels), (
        400 if form.errors else 200
    )


def _render_pairing(pairing: Mentorship, code: int = 200, **forms: Any) -> tuple[str, int]:
    user = actor()
    defaults = {
        "response_form": ResponseForm(formdata=None),
        "agreement_form": AgreementForm(
            formdata=None, goals=pairing.agreement_goals, frequency=pairing.agreement_frequency
        ),
        "meeting_form": MeetingForm(formdata=None),
        "end_form": EndForm(formdata=None),
    }
    defaults.update(forms)
    return render_template(
        "educators/pairing.html",
        pairing=pairing,
        is_mentor=pairing.mentor_id == user.id,
        status=PairingStatus,
        **defaults,
    ), code


@bp.get("/mentoring/<int:mentorship_id>")
@requires(MENTOR)
def pairing(mentorship_id: int) -> tuple[str, int]:
    return _render_pairing(_pairing_or_404(mentorship_id, actor()))


def _act(mentorship_id: int, form: Any, form_name: str, action: Any, done: str) -> Any:
    user = actor()
    pairing = _pairing_or_404(mentorship_id, user)
    if form.validate_on_submit():
        try:
            action(user, pairing, form)
        except Refusal as refusal:
            show_refusal(form, refusal, field=next(iter(form._fields)))
        else:
            flash(done, "success")
            return redirect(url_for("educators.pairing", mentorship_id=pairing.id))
    return _render_pairing(pairing, 400, **{form_name: form})


@bp.post("/mentoring/<int:mentorship_id>/respond")
@requires(MENTOR)
def respond(mentorship_id: int) -> Any:
    form = ResponseForm()

    def action(user: User, pairing: Mentorship, form: Any) -> None:
        pairings.respond(user, pairing, form.decision.data, form.note.data)

    return _act(mentorship_id, form, "response_form", action, "Your answer was sent.")


@bp.post("/mentoring/<int:mentorship_id>/withdraw")
@requires(MENTOR)
def withdraw(mentorship_id: int) -> Any:
    pairing = _pairing_or_404(mentorship_id, actor())
    try:
        pairings.withdraw(actor(), pairing)
    except Refusal as refusal:
        flash(refusal.message, "info")
        return redirect(url_for("educators.pairing", mentorship_id=pairing.id), code=303)
    flash("You withdrew your request.", "success")
    return redirect(url_for("educators.mentoring"))


@bp.post("/mentoring/<int:mentorship_id>/agreement")
@requires(MENTOR)
def agreement(mentorship_id: int) -> Any:
    form = AgreementForm()

    def action(user: User, pairing: Mentorship, form: Any) -> None:
        pairings.agree(user, pairing, form.goals.data, form.frequency.data)

    return _act(mentorship_id, form, "agreement_form", action, "Your agreement is saved.")


@bp.post("/mentoring/<int:mentorship_id>/meetings")
@requires(MENTOR)
def meeting(mentorship_id: int) -> Any:
    form = MeetingForm()

    def action(user: User, pairing: Mentorship, form: Any) -> None:
        pairings.log_meeting(user, pairing, form.met_on.data, form.notes.data)

    return _act(mentorship_id, form, "meeting_form", action, "The meeting is logged.")


@bp.post("/mentoring/<int:mentorship_id>/end")
@requires(MENTOR)
def end(mentorship_id: int) -> Any:
    form = EndForm()

    def action(user: User, pairing: Mentorship, form: Any) -> None:
        if pairing.status is PairingStatus.ENDED:
            pairings.leave_feedback(user, pairing, form.feedback.data)
        else:
            pairings.end(user, pairing, form.feedback.data)

    return _act(mentorship_id, form, "end_form", action, "Thank you: your mentoring is updated.")
