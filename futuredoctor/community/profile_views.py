"""A champion's own profile: the form they fill in and keep up to date."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from futuredoctor.community import profiles
from futuredoctor.community.blueprint import bp
from futuredoctor.community.forms import ProfileForm
from futuredoctor.models import ChampionOffer, ChampionProfile, InterestKind, ProfileVisibility
from futuredoctor.permissions import Permission, actor, requires
from futuredoctor.refusals import Refusal, show_refusal


def _profile_form(profile: ChampionProfile | None) -> ProfileForm:
    user = actor()
    regions = profiles.champion_regions(user)
    form = ProfileForm(obj=profile)
    form.region.choices = [(r.code, r.name) for r in regions]
    if len(regions) != 1:
        form.region.choices.insert(0, ("", "Choose a region"))
    form.domains.choices = [(code, f"{code}: {title}") for code, title in profiles.gpc_domains()]
    form.priorities.choices = [(p, p) for p in profiles.all_priorities()]
    form.offers.choices = [(o.value, o.label) for o in ChampionOffer]
    if profile is not None and not form.is_submitted():
        form.region.data = profile.region.code
        form.domains.data = profile.values(InterestKind.DOMAIN)
        form.priorities.data = profile.values(InterestKind.PRIORITY)
        form.offers.data = profile.values(InterestKind.OFFER)
        form.visibility.data = profile.visibility.value
    if not form.is_submitted():
        if profile is None and not form.profession.data:
            form.profession.data = ""
        form.region.data = form.region.data or (regions[0].code if len(regions) == 1 else "")
    return form


@bp.route("/champion/profile", methods=["GET", "POST"])
@requires(Permission.EDIT_CHAMPION_PROFILE)
def profile_edit() -> tuple[str, int] | Response:
    user = actor()
    profile = profiles.profile_for(user.id)
    form = _profile_form(profile)
    if form.validate_on_submit():
        data = profiles.ProfileInput(
            region_code=form.region.data or "",
            profession=form.profession.data or "",
            job_title=form.job_title.data or "",
            about=form.about.data or "",
            availability=form.availability.data or "",
            visibility=ProfileVisibility(form.visibility.data),
            domains=list(form.domains.data or []),
            priorities=list(form.priorities.data or []),
            offers=list(form.offers.data or []),
        )
        try:
            saved = profiles.save_profile(user, data)
        except Refusal as refusal:
            show_refusal(form, refusal)
        else:
            flash("Your champion profile is saved.", "success")
            return redirect(url_for("community.champion", profile_id=saved.id))
    code = 400 if form.errors else 200
    return render_template("community/profile_edit.html", form=form, profile=profile), code
