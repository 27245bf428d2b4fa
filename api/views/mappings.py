"""Mapping templates: save (checked by the core), list, read, replace, delete; and the
mapping ``mentormatch map`` suggests for a sheet. Templates are the web app's: one saved
on the mapping page is listed here, and one saved here is offered on the page."""

from __future__ import annotations

from flask import g
from sqlalchemy import select

from api import mapping_schemas as schemas
from api.db import transaction
from api.idempotency import idempotent
from api.mappings import add_template, check_mapping, present_template, template_or_404
from api.pagination import paginate
from api.services import services
from api.sheet_suggest import sheet_from_request, suggested
from api.tables_web import MappingTemplate
from api.views import IDEMPOTENCY_KEY, Blueprint, json_only, problems, protected

blp = protected(Blueprint("mappings", __name__, url_prefix="/api/v1/mappings"))
LOCATION = {"Location": {"schema": {"type": "string"}}}
SHEET = {"type": "string", "format": "binary"}
SHEET_BODY = {
    "required": True,
    "content": {
        "text/csv": {"schema": {"type": "string"}, "example": schemas.SHEET_EXAMPLE},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": SHEET},
        "multipart/form-data": {
            "schema": {"type": "object", "required": ["file"], "properties": {"file": SHEET}}
        },
    },
}


@blp.route("", methods=["POST"])
@blp.doc(parameters=[IDEMPOTENCY_KEY])
@idempotent
@json_only
@blp.arguments(schemas.MappingIn, example=schemas.TEMPLATE_IN_EXAMPLE)
@blp.response(201, schemas.TemplateOut, headers=LOCATION, example=schemas.TEMPLATE_EXAMPLE)
@problems(blp, 400, 401, 409, 415)
def create_template(body):
    """Save a mapping under a name for your organization (422 lists every problem of it;
    409 when the name is taken)."""
    check_mapping(body["mapping"])
    with transaction(services().sessions) as session:
        row = present_template(add_template(session, body["name"], body["mapping"]))
    return row, 201, {"Location": row["links"]["self"]}


@blp.route("", methods=["GET"])
@blp.arguments(schemas.TemplateArgs, location="query")
@blp.response(200, schemas.TemplatePage, example=schemas.TEMPLATE_PAGE_EXAMPLE)
@problems(blp, 401)
def list_templates(args):
    """Your organization's mapping templates (saved here or on the web app's mapping page),
    by name."""
    mine = select(MappingTemplate).where(MappingTemplate.organization_id == g.organization_id)
    with services().sessions() as session:
        body, headers = paginate(session, mine.order_by(MappingTemplate.name), args)
    body["items"] = [present_template(row) for row in body["items"]]
    return body, headers


@blp.route("/suggest", methods=["POST"])
@blp.doc(requestBody=SHEET_BODY)
@blp.arguments(schemas.SuggestQuery, location="query")
@blp.response(200, schemas.MappingSuggestionOut, example=schemas.SUGGESTION_EXAMPLE)
@problems(blp, 401, 413, 415)
def suggest_mapping(query):
    """The mapping ``mentormatch map`` writes for a sheet (CSV or workbook), as JSON: edit
    it, save it with POST /mappings, upload with it."""
    limit = services().settings["MAX_PARTICIPANTS"]
    return suggested(sheet_from_request(), query.get("sheet"), limit)


@blp.route("/<path:name>", methods=["GET"])
@blp.response(200, schemas.TemplateOut, example=schemas.TEMPLATE_EXAMPLE)
@problems(blp, 401, 404)
def get_template(name):
    """One mapping template of your organization."""
    with services().sessions() as session:
        return present_template(template_or_404(session, name))


@blp.route("/<path:name>", methods=["PUT"])
@json_only
@blp.arguments(schemas.MappingPut, example={"mapping": schemas.MAPPING_EXAMPLE})
@blp.response(200, schemas.TemplateOut, example=schemas.TEMPLATE_EXAMPLE)
@problems(blp, 400, 401, 404, 415)
def replace_template(body, name):
    """Replace a template's mapping (checked as on saving; 422 lists every problem)."""
    with services().sessions() as session:
        template_or_404(session, name)
    check_mapping(body["mapping"])
    with transaction(services().sessions) as session:
        row = template_or_404(session, name)
        row.mapping = body["mapping"]
        return present_template(row)


@blp.route("/<path:name>", methods=["DELETE"])
@blp.response(204)
@problems(blp, 401, 404)
def delete_template(name):
    """Delete a template; cohorts read through it keep the mapping they were read with."""
    with transaction(services().sessions) as session:
        session.delete(template_or_404(session, name))
