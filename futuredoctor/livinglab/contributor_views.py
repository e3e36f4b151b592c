"""Public contributors (list, record, edit, retire) and feedback entered on someone's
behalf, on the living lab blueprint."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from futuredoctor.livinglab import codesign, contributors, on_behalf
from futuredoctor.livinglab.blueprint import TRIAGE, bp, pagination
from futuredoctor.livinglab.contributor_forms import (
    ContributorFilterForm,
    ContributorForm,
    OnBehalfForm,
)
from futuredoctor.livinglab.contributor_picker import PICKER_LIMIT as CONTRIBUTOR_LIMIT
from futuredoctor.livinglab.contributor_picker import contributor_picker
from futuredoctor.models import (
    INVOLVEMENT_LABELS,
    FeedbackSource,
    Involvement,
    PublicContributor,
)
from futuredoctor.paging import page_number
from futuredoctor.permissions import actor, pilot_id_list, requires
from futuredoctor.refusals import Refusal, show_refusal
from futuredoctor.version_picker import PICKER_LIMIT, version_picker


def _labels() -> dict[str, Any]:
    return {"involvement_labels": INVOLVEMENT_LABELS}


@bp.get("/contributors")
@requires(TRIAGE)
def contributors_list() -> tuple[str, int]:
    form = ContributorFilterForm(formdata=request.args)
    form.show.data = form.show.data or "current"
    page, code = None, 200
    if request.args and not form.validate():
        code = 400
    else:
        page = contributors.contributors_page(
            actor(), form.q.data or None, form.show.data, page_number(request.args.get("page"))
        )
    return render_template(
        "livinglab/contributors.html",
        form=form,
        page=page,
        pagination=pagination(page) if page else None,
        show_label=contributors.SHOW.get(form.show.data or "", ""),
        **_labels(),
    ), code


def _details(form: ContributorForm) -> contributors.ContributorDetails:
    assert form.consent_on is not None
    return contributors.ContributorDetails(
        display_name=form.display_name.data or "",
        kinds=[Involvement(k) for k in form.involvement.data or []],
        credit_consent=form.credit_consent.data == "yes",
        credit_consent_on=form.consent_on,
        notes=form.notes.data or None,
    )


def _pilot_choices(form: Any) -> list[Any]:
    pilots = codesign.pilots_for(actor())
    form.pilot.choices = [(p.slug, f"{p.name} ({p.region.name})") for p in pilots]
    if len(pilots) != 1:
        form.pilot.choices.insert(0, ("", "Choose a pilot"))
    return pilots


@bp.route("/contributors/new", methods=["GET", "POST"])
@requires(TRIAGE)
def contributor_new() -> tuple[str, int] | Response:
    form = ContributorForm()
    pilots = _pilot_choices(form)
    if form.validate_on_submit():
        pilot = contributors.pilot_in(pilots, form.pilot.data)
        assert pilot is not None
        try:
            contributor = contributors.record(pilot, _details(form), actor())
        except Refusal as refusal:
            show_refusal(form, refusal)
        else:
            flash(f"Recorded {contributor.display_name} as a public contributor.", "success")
            return redirect(url_for("livinglab.contributor", contributor_id=contributor.id))
    code = 400 if form.errors else 200
    return render_template(
        "livinglab/contributor_form.html", form=form, contributor=None, **_labels()
    ), code


def _edit_form(contributor: PublicContributor) -> ContributorForm:
    form = ContributorForm()
    form.pilot.choices = [(contributor.pilot.slug, contributor.pilot.name)]
    if request.method == "GET":
        form.pilot.data = contributor.pilot.slug
        form.display_name.data = contributor.display_name
        form.involvement.data = [k.value for k in contributor.kinds]
        form.credit_consent.data = "yes" if contributor.credit_consent else "no"
        day = contributor.credit_consent_on
        form.consent_on_day.data, form.consent_on_month.data = str(day.day), str(day.month)
        form.consent_on_year.data = str(day.year)
        form.notes.data = contributor.notes
    else:
        form.pilot.data = contributor.pilot.slug  # the pilot is not changed here
    return form


@bp.route("/contributors/<int:contributor_id>", methods=["GET", "POST"])
@requires(TRIAGE, public_contributor="contributor_id")
def contributor(public_contributor: PublicContributor) -> tuple[str, int] | Response:
    record = public_contributor
    form = _edit_form(record)
    if form.validate_on_submit():
        try:
            contributors.update(record, _details(form))
        except Refusal as refusal:
            show_refusal(form, refusal)
        else:
            flash(f"Saved the changes to {record.display_name}.", "success")
            return redirect(url_for("livinglab.contributor", contributor_id=record.id))
    code = 400 if form.errors else 200
    return render_template(
        "livinglab/contributor_form.html",
        form=form,
        contributor=record,
        referenced=contributors.is_referenced(record),
        **_labels(),
    ), code


@bp.post("/contributors/<int:contributor_id>/retire")
@requires(TRIAGE, public_contributor="contributor_id")
def contributor_retire(public_contributor: PublicContributor) -> Response:
    name = public_contributor.display_name
    if contributors.retire(public_contributor):
        flash(f"Removed {name}: nothing referred to them.", "success")
        return redirect(url_for("livinglab.contributors_list"))
    flash(
        f"Retired {name}. Their feedback and attendance stay on record, and credits still "
        "follow what they agreed to.",
        "success",
    )
    return redirect(url_for("livinglab.contributor", contributor_id=public_contributor.id))


@bp.post("/contributors/<int:contributor_id>/reinstate")
@requires(TRIAGE, public_contributor="contributor_id")
def contributor_reinstate(public_contributor: PublicContributor) -> Response:
    contributors.reinstate(public_contributor)
    flash(f"Reinstated {public_contributor.display_name}.", "success")
    return redirect(url_for("livinglab.contributor", contributor_id=public_contributor.id))


# --- feedback on someone's behalf ------------------------------------------------------


def _on_behalf_form() -> tuple[OnBehalfForm, dict[str, Any]]:
    form = OnBehalfForm()
    pilots = _pilot_choices(form)
    action = request.form.get("action") if request.method == "POST" else None
    finding = action in ("find", "find-contributor")
    if finding:  # a press of "Find versions" or "Find contributors": check only the
        form.find.validate(form)  # searches, save nothing
        form.find_contributor.validate(form)
    search = (form.find.data or "") if not form.find.errors else ""
    picker = version_picker(search, [form.version.data], pilot_id_list(actor(), TRIAGE))
    versions = {str(row.id): row for row in picker.rows}
    form.version.choices = [
        ("", "Choose a module version"),
        *picker.choices("{title} (version {number})"),
    ]
    wanted = request.args.get("contributor", "") if request.method == "GET" else ""
    find = form.find_contributor
    people_picker = contributor_picker(
        actor(), (find.data or "") if not find.errors else "", [form.contributor.data, wanted]
    )
    people = people_picker.by_key()
    form.contributor.choices = people_picker.choices(with_pilot=len(pilots) > 1)
    if wanted in people:
        form.contributor.data = wanted
        form.source.data = FeedbackSource.PATIENT_PUBLIC.value
        form.pilot.data = people[wanted].pilot.slug
    return form, {
        "pilots": pilots,
        "versions": versions,
        "people": people,
        "picker": picker,
        "people_picker": people_picker,
        "finding": finding,
    }


@bp.route("/feedback/new", methods=["GET", "POST"])
@requires(TRIAGE)
def feedback_on_behalf() -> tuple[str, int] | Response:
    form, found = _on_behalf_form()
    if found["finding"]:
        code = 400 if form.find.errors or form.find_contributor.errors else 200
        return _render_on_behalf(form, found, code)
    if form.validate_on_submit():
        entry = on_behalf.OnBehalf(
            pilot=contributors.pilot_in(found["pilots"], form.pilot.data),  # type: ignore[arg-type]
            version=on_behalf.version(found["versions"][form.version.data].id),
            source=FeedbackSource(form.source.data),
            text=form.text.data or "",
            contributor=found["people"].get(form.contributor.data or ""),
        )
        try:
            item, created = on_behalf.record(entry, actor())
        except Refusal as refusal:
            show_refusal(form, refusal)
        else:
            if created:
                flash(f"Recorded the feedback. It is in the inbox as no. {item.id}.", "success")
            else:
                flash("That feedback was already recorded.", "info")
            return redirect(url_for("livinglab.item", item_id=item.id))
    return _render_on_behalf(form, found, 400 if form.errors else 200)


def _render_on_behalf(form: OnBehalfForm, found: dict[str, Any], code: int) -> tuple[str, int]:
    return render_template(
        "livinglab/on_behalf.html",
        form=form,
        picker=found["picker"],
        picker_limit=PICKER_LIMIT,
        people_picker=found["people_picker"],
        people_limit=CONTRIBUTOR_LIMIT,
    ), code
