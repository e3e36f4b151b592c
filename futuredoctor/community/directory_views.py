"""The champions directory, a champion's page and sending them a message.

Signed out, only profiles marked public are listed (and can be opened); signed in, every
profile is. Sending a message needs an account, so every message has a sender to answer."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from futuredoctor.community import messages, profiles
from futuredoctor.community.blueprint import bp, pagination
from futuredoctor.community.forms import DirectoryFilterForm, MessageForm
from futuredoctor.content.choices import ContentChoices, content_choices
from futuredoctor.models import ChampionOffer, ChampionProfile
from futuredoctor.paging import page_number
from futuredoctor.permissions import actor, public, signed_in
from futuredoctor.refusals import Refusal, show_refusal


def _filter_form(choices: ContentChoices) -> DirectoryFilterForm:
    form = DirectoryFilterForm(formdata=request.args)
    form.region.choices = [("", "All regions")] + [(r.code, r.name) for r in choices.regions]
    form.domain.choices = [("", "All GPC domains")] + [(c, f"{c}: {t}") for c, t in choices.domains]
    form.priority.choices = [("", "All priorities")] + [(p, p) for p in choices.priorities]
    form.profession.choices = [("", "All professions")] + [(p, p) for p in profiles.professions()]
    form.offer.choices = [("", "Any offer")] + [(o.value, o.label) for o in ChampionOffer]
    for field in (form.region, form.domain, form.priority, form.profession, form.offer):
        field.data = field.data or ""
    return form


@bp.get("/champions")
@public
def directory() -> tuple[str, int]:
    signed = bool(current_user.is_authenticated)  # first: the account brings the stamp
    choices = content_choices()
    form = _filter_form(choices)
    number = page_number(request.args.get("page"))
    if form.validate():
        filters = profiles.DirectoryFilters(
            region=form.region.data or "",
            domain=form.domain.data or "",
            priority=form.priority.data or "",
            profession=form.profession.data or "",
            offer=form.offer.data or "",
            text=form.text.data or "",
        )
        page = profiles.directory(filters, signed, number)
        code = 200
    else:
        page = profiles.DirectoryPage(items=[], number=1, per_page=profiles.PER_PAGE, total=0)
        code = 400
    return render_template(
        "community/directory.html",
        form=form,
        page=page,
        pagination=pagination(page),
        offers=page.offers,
        domain_titles=choices.domain_titles,
        signed_in_view=signed,
    ), code


def _visible_or_404(profile_id: int) -> ChampionProfile:
    profile = profiles.visible_profile(profile_id, bool(current_user.is_authenticated))
    if profile is None:
        abort(404)
    return profile


def _render_champion(profile: ChampionProfile, form: MessageForm, code: int) -> tuple[str, int]:
    return render_template(
        "community/champion.html",
        profile=profile,
        form=form,
        domain_titles=dict(profiles.gpc_domains()),
        limit=messages.MESSAGES_PER_HOUR,
    ), code


@bp.get("/champions/<int:profile_id>")
@public
def champion(profile_id: int) -> tuple[str, int]:
    return _render_champion(_visible_or_404(profile_id), MessageForm(), 200)


@bp.post("/champions/<int:profile_id>/message")
@signed_in
def message(profile_id: int) -> tuple[str, int] | Response:
    profile = _visible_or_404(profile_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            messages.send_message(actor(), profile, form.body.data or "")
        except Refusal as refusal:
            show_refusal(form, refusal)
        else:
            flash(
                f"Your message is on its way to {profile.user.full_name}. They will reply "
                "to your email address.",
                "success",
            )
            return redirect(url_for("community.champion", profile_id=profile.id))
    return _render_champion(profile, form, 400)
