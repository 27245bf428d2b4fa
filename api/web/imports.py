"""New cohort pages: upload a sheet, decide what each column is, see every problem in one
table, fix it (in the mapping or with a corrected file), and store the cohort."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from api.db import transaction
from api.mappings import save_template
from api.operations import owned
from api.personal import scrub
from api.services import services
from api.tables_web import MappingTemplate, Upload
from api.web import bp
from api.web.importing import look_at, named, read_with, store_import, sweep_uploads, where_to_fix
from api.web.mapping_form import (
    FIELDS,
    KIND_CHOICES,
    RANGE_CHOICES,
    RULE_CHOICES,
    from_settings,
    mapping_data,
)
from api.web.policy_form import RULE_WORDS
from matcher.model import InputError, Problem

PROGRAMS = ("coaching", "mentoring")
MAX_SHOWN = 200  # problems listed in the table


def _templates(session) -> list[MappingTemplate]:
    mine = select(MappingTemplate).where(MappingTemplate.organization_id == g.organization_id)
    return list(session.scalars(mine.order_by(MappingTemplate.name)))


@bp.route("/cohorts/new", methods=["GET", "POST"])
def new_cohort():
    """Upload a sheet (CSV or workbook) with the cohort's name and programme."""
    form = request.form
    if request.method == "GET":
        return render_template("new_cohort.html", form={}, problems=[], programs=PROGRAMS)
    problems = []
    name = (form.get("name") or "").strip()
    if not 1 <= len(name) <= 200:
        problems.append(Problem("give the cohort a name (1 to 200 characters)", column="name"))
    if form.get("program") not in PROGRAMS:
        problems.append(Problem("choose coaching or mentoring", column="program"))
    upload = request.files.get("file")
    content = upload.read() if upload is not None else b""
    if not content:
        problems.append(Problem("choose a CSV or Excel file of the people", column="file"))
    settings = services().settings
    if not problems:
        try:
            look_at(content, int(settings["MAX_PARTICIPANTS"]))
        except InputError as error:
            problems = named(error.problems, upload.filename or "the file")
    if problems:
        page = render_template("new_cohort.html", form=form, problems=problems, programs=PROGRAMS)
        return page, 422
    with transaction(services().sessions) as session:
        sweep_uploads(session, float(settings["UPLOAD_TTL_SECONDS"]))
        row = Upload(
            organization_id=g.organization_id,
            user_id=g.user_id,
            name=name,
            program=form["program"],
            filename=(upload.filename or "sheet")[:255],
            content=content,
        )
        session.add(row)
    return redirect(url_for("web.import_page", upload_id=row.id), 303)


def _columns(look, data: dict) -> list:
    out = []
    for k, header in look.headers:
        settings = data["columns"].get(header) or look.suggestions[header].settings
        notes = look.suggestions[header].notes
        out.append(from_settings(k, header, settings, notes, look.samples(k)))
    return out


def _page(upload: Upload, look, data: dict, problems, templates, status: int = 200):
    shown = [(p, where_to_fix(p, look.headers)) for p in problems[:MAX_SHOWN]]
    page = render_template(
        "import.html",
        upload=upload,
        look=look,
        columns=_columns(look, data),
        chosen_zones=data.get("timezones", {}),
        problems=shown,
        total=len(problems),
        templates=templates,
        fields=FIELDS,
        kinds=KIND_CHOICES,
        ranges=RANGE_CHOICES,
        rules=RULE_CHOICES,
        rule_words=RULE_WORDS,
    )
    return page, status


@bp.route("/imports/<upload_id>", methods=["GET"])
def import_page(upload_id):
    """The mapping step, pre-filled from the last submitted mapping, a chosen template or
    the suggestion; with a submitted mapping, the problems of the sheet read through it.
    A workbook's sheet is ``?sheet=`` (picked on the page), else the last mapping's, else
    the first with records."""
    limit = int(services().settings["MAX_PARTICIPANTS"])
    with services().sessions() as session:
        upload = owned(session, Upload, upload_id)
        templates = _templates(session)
        chosen = request.args.get("template", type=int)
        template = owned(session, MappingTemplate, chosen) if chosen else None
    last = upload.mapping or {}
    look = look_at(upload.content, limit, request.args.get("sheet") or last.get("sheet"))
    data = look.suggested()
    problems = []
    if template is not None:
        data["columns"].update(
            (h, s) for h, s in template.mapping["columns"].items() if h in data["columns"]
        )
        data["timezones"] = template.mapping.get("timezones", {})
    elif last and last.get("sheet") == look.sheet:
        data = last
        try:
            read_with(upload.content, data)
        except InputError as error:
            problems = named(error.problems, upload.filename)
    return _page(upload, look, data, problems, templates)


@bp.route("/imports/<upload_id>", methods=["POST"])
def submit_mapping(upload_id):
    """Check the mapping and the sheet through it: every problem in one table, or the
    cohort stored and the policy step next."""
    limit = int(services().settings["MAX_PARTICIPANTS"])
    with services().sessions() as session:
        upload = owned(session, Upload, upload_id)
        templates = _templates(session)
    look = look_at(upload.content, limit, request.form.get("sheet"))
    data = look.with_sheet(mapping_data(request.form, look.headers, look.zones))
    template_name = (request.form.get("template_name") or "").strip()[:200]
    try:
        cohort, readings = read_with(upload.content, data)
    except InputError as error:
        problems = named(error.problems, upload.filename)
    else:
        problems = []
    with transaction(services().sessions) as session:
        upload = owned(session, Upload, upload_id)
        upload.mapping = data
        if template_name:
            save_template(session, g.organization_id, template_name, data, g.user_id)
        if not problems:
            row = store_import(session, upload, cohort, readings, data, g.user_id)
    if template_name:
        flash(f"Mapping saved as template {template_name!r}.")
    if problems:
        return _page(upload, look, data, problems, templates, 422)
    scrub(services().engine)
    flash(f"Cohort {row.name!r} stored: {row.n_mentors} mentors, {row.n_mentees} mentees.")
    return redirect(url_for("web.policy_page", cohort_id=row.id), 303)


@bp.route("/imports/<upload_id>/file", methods=["POST"])
def replace_file(upload_id):
    """A corrected sheet for the same import: the mapping stays, the problems are new."""
    upload = request.files.get("file")
    content = upload.read() if upload is not None else b""
    limit = int(services().settings["MAX_PARTICIPANTS"])
    with services().sessions() as session:
        row = owned(session, Upload, upload_id)
    if not content:
        flash("Choose the corrected file first.")
        return redirect(url_for("web.import_page", upload_id=row.id), 303)
    try:
        look_at(content, limit)
    except InputError as error:
        problems = named(error.problems, upload.filename or "the file")
        flash("The new file could not be read: " + "; ".join(p.message for p in problems[:3]))
        return redirect(url_for("web.import_page", upload_id=row.id), 303)
    with transaction(services().sessions) as session:
        row = owned(session, Upload, upload_id)
        row.content, row.filename = content, (upload.filename or row.filename)[:255]
    flash(f"{row.filename} uploaded in place of the earlier file.")
    return redirect(url_for("web.import_page", upload_id=row.id), 303)


@bp.route("/imports/<upload_id>/discard", methods=["POST"])
def discard_import(upload_id):
    """Forget an upload and the sheet it holds."""
    with transaction(services().sessions) as session:
        session.delete(owned(session, Upload, upload_id))
    scrub(services().engine)
    flash("The upload was discarded.")
    return redirect(url_for("web.home"), 303)
