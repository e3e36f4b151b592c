"""Publishing a new module version, comparing versions, and "Did it work?" ratings."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from futuredoctor.content import render_markdown
from futuredoctor.content.choices import content_choices
from futuredoctor.learning.services import module_by_slug, newest_version, version_domains
from futuredoctor.livinglab import address_picker, diff, ratings, versions
from futuredoctor.livinglab.blueprint import TRIAGE, bp
from futuredoctor.livinglab.forms import DiffForm, VersionForm
from futuredoctor.livinglab.scope import modules_in_scope
from futuredoctor.models import Module, ModuleVersion
from futuredoctor.permissions import Permission, actor, has_permission, requires, signed_in
from futuredoctor.refusals import Refusal, show_refusal
from futuredoctor.releases.services import cohorts_taking
from futuredoctor.transactions import savepoint


def _version_form(latest: ModuleVersion) -> VersionForm:
    form = VersionForm()
    form.gpc_domains.choices = [
        (code, f"{code} – {title}") for code, title in content_choices().domains
    ]
    if request.method == "GET":
        form.based_on.data = str(latest.number)
        form.title.data = latest.title
        form.summary.data = latest.summary
        form.estimated_minutes.data = latest.estimated_minutes
        form.delivery_mode.data = latest.delivery_mode
        form.learning_outcomes.data = "\n".join(latest.learning_outcomes)
        form.gpc_domains.data = [d.code for d in version_domains(latest)]
        form.body.data = latest.body_markdown
        form.changelog.data = ""
        form.addresses.data = []
    return form


@bp.route("/modules/<slug>/versions/new", methods=["GET", "POST"])
@requires(TRIAGE, module="slug")
def version_new(module: Module) -> tuple[str, int] | Response:
    latest = newest_version(module)
    form = _version_form(latest)
    preview = None
    previewed = False
    code = 200
    action = request.form.get("action", "")
    if request.method == "POST":
        if action in ("find", "picker_previous", "picker_next"):
            pass  # search or page the picker of feedback, keeping everything typed
        elif action == "preview":
            form.validate()  # show problems, but a preview is never refused
            previewed = True
            if not form.body.errors:  # content too long to publish is not rendered either
                preview = render_markdown(form.body.data or "")
        elif form.validate_on_submit():
            new = versions.NewVersion(
                based_on=int(form.based_on.data) if (form.based_on.data or "").isdigit() else 0,
                title=form.title.data or "",
                summary=form.summary.data or "",
                estimated_minutes=form.estimated_minutes.data or 0,
                delivery_mode=form.delivery_mode.data or "",
                learning_outcomes=form.outcomes(),
                gpc_domains=list(form.gpc_domains.data or []),
                body=form.body.data or "",
                changelog=form.changelog.data or "",
                addresses=list(form.addresses.data or []),
            )
            try:
                with savepoint():  # a refusal undoes what was flushed before it
                    version = versions.publish_version(module, new, actor())
            except Refusal as refusal:
                show_refusal(form, refusal)
                module = module_by_slug(module.slug) or abort(404)
            else:
                count = len(new.addresses)
                flash(
                    f"Published version {version.number} of “{version.title}”"
                    + (
                        f", addressing {count} feedback item{'s' if count != 1 else ''}."
                        if count
                        else "."
                    ),
                    "success",
                )
                return redirect(_after_publishing(module, version.id))
        code = 400 if form.errors and preview is None else code
    picker = address_picker.open_items_picker(
        actor(),
        module,
        (form.find.data or "") if not form.find.errors else "",
        address_picker.parse_cursor(action, form.picker_first.data, form.picker_last.data),
        _picker_page(form.picker_page.data),
        list(form.addresses.data or []),
    )
    form.picker_page.data = str(picker.number)
    form.picker_first.data = str(picker.first_id or "")
    form.picker_last.data = str(picker.last_id or "")
    return render_template(
        "livinglab/version_new.html",
        module=module,
        latest=latest,
        form=form,
        picker=picker,
        picker_size=address_picker.PICKER_PAGE,
        picker_cap=address_picker.COUNT_CAP,
        preview=preview,
        previewed=previewed,
    ), code


def _picker_page(raw: str | None) -> int:
    """The position of the picker page the form was on (only numbers the items shown)."""
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 7 else 1


def _after_publishing(module: Module, version_id: int) -> str:
    """Publishing ends on "Schedule this version", pre-filled with the cohorts that take
    the module, for people who may schedule; others go back to the module page."""
    if not has_permission(actor(), Permission.SCHEDULE_RELEASES):
        return url_for("learning.module", slug=module.slug)
    cohorts = [c.slug for c in cohorts_taking(actor(), module)]
    return url_for("releases.new", version=version_id, cohort=cohorts)


@bp.get("/modules/<slug>/versions/<int:number>/module.md")
@requires(TRIAGE, module="slug")
def version_markdown(module: Module, number: int) -> Response:
    found = next((v for v in module.versions if v.number == number), None)
    if found is None:
        abort(404)
    response = Response(versions.module_markdown(found), mimetype="text/markdown")
    response.headers["Content-Disposition"] = "attachment; filename=module.md"
    return response


@bp.get("/modules/<slug>/changes")
@signed_in
def changes(slug: str) -> tuple[str, int]:
    module = module_by_slug(slug)
    if module is None or not module.versions:
        abort(404)
    numbers = [v.number for v in module.versions]
    by_number = {v.number: v for v in module.versions}
    form = DiffForm(formdata=request.args if request.args else None)
    choices = [(str(n), f"Version {n}") for n in reversed(numbers)]
    form.before.choices = choices
    form.after.choices = choices
    if not request.args:
        form.before.data = str(numbers[-2] if len(numbers) > 1 else numbers[-1])
        form.after.data = str(numbers[-1])
    code = 200
    before = after = None
    if len(numbers) > 1 and (not request.args or form.validate()):
        before, after = by_number[int(form.before.data)], by_number[int(form.after.data)]
    elif request.args and len(numbers) > 1:
        code = 400
    return render_template(
        "livinglab/changes.html",
        module=module,
        latest=module.latest,
        form=form,
        before=before,
        after=after,
        fields=diff.field_changes(before, after) if before and after else [],
        body=diff.body_diff(before.body_markdown, after.body_markdown) if before and after else [],
    ), code


@bp.get("/feedback/ratings")
@requires(TRIAGE)
def ratings_index() -> str:
    overview, counted_at = ratings.summary_overview(actor(), modules_in_scope(actor()))
    titles = ratings.latest_titles([module.id for module, _, _ in overview])
    return render_template(
        "livinglab/ratings_index.html", overview=overview, titles=titles, counted_at=counted_at
    )


@bp.get("/feedback/ratings/<slug>")
@requires(TRIAGE, module="slug")
def ratings_view(module: Module) -> str:
    version_rows, region_rows, counted_at = ratings.summary_ratings(actor(), module)
    return render_template(
        "livinglab/ratings.html",
        counted_at=counted_at,
        module=module,
        latest=module.latest,
        version_rows=version_rows,
        every_version=ratings.with_unrated_versions(version_rows, module),
        region_rows=region_rows,
        version_chart=ratings.version_chart(version_rows) if version_rows else None,
        region_chart=ratings.region_chart(region_rows) if region_rows else None,
        dimensions=ratings.DIMENSIONS,
        small=ratings.SMALL,
    )
