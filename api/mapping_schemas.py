"""Request and response shapes of mapping templates and suggestions (see :mod:`api.schemas`).

A mapping is checked by the core (:func:`matcher.io.mapping.load_mapping`), which names
every problem with its key path; these schemas check only that it is an object.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from api.schemas import PageArgs, ProblemItemSchema, UtcDateTime, _page_schema

MAPPING_EXAMPLE = {
    "mapping": 1,
    "columns": {
        "Timestamp": {"ignore": True},
        "Email Address": {"field": ["id", "email"]},
        "Are you signing up as a mentor or a mentee?": {
            "field": "role",
            "values": {"A mentor": "mentor", "A mentee": "mentee"},
        },
        "Which skills would you like to learn or can you teach? (choose up to 3)": {
            "field": "skills",
            "separator": ", ",
        },
        "How many mentees can you take on?": {
            "field": "capacity",
            "role": "mentor",
            "ranges": "high",
        },
        "Hobbies and interests": {
            "attribute": "hobbies",
            "type": "multi-choice",
            "separator": ", ",
            "rule": "overlap",
            "weight": 0.5,
        },
    },
    "timezones": {"IST": "Asia/Kolkata"},
}
TEMPLATE_IN_EXAMPLE = {"name": "Google form, spring", "mapping": MAPPING_EXAMPLE}
TEMPLATE_EXAMPLE = {
    "name": "Google form, spring",
    "mapping": MAPPING_EXAMPLE,
    "created_at": "2026-12-10T09:00:00+00:00",
    "links": {"self": "/api/v1/mappings/Google%20form,%20spring"},
}
TEMPLATE_PAGE_EXAMPLE = {"items": [TEMPLATE_EXAMPLE], "page": 1, "per_page": 100, "total": 1}
SHEET_EXAMPLE = (
    "Timestamp,Email Address,Are you signing up as a mentor or a mentee?,"
    "How many mentees can you take on?,Hobbies and interests\r\n"
    '3/2/2026 9:00:00,priya@acme.example,A mentor,3+,"Reading, Yoga"\r\n'
    '3/2/2026 9:05:12,chloe@acme.example,A mentee,,"Yoga, Hiking"\r\n'
)
SUGGESTION_EXAMPLE = {  # what POST /mappings/suggest answers for SHEET_EXAMPLE
    "mapping": {
        "mapping": 1,
        "columns": {
            "Timestamp": {"ignore": True},
            "Email Address": {"field": ["id", "email"]},
            "Are you signing up as a mentor or a mentee?": {
                "field": "role",
                "values": {"A mentor": "mentor", "A mentee": "mentee"},
            },
            "How many mentees can you take on?": {
                "field": "capacity",
                "role": "mentor",
                "ranges": "high",
            },
            "Hobbies and interests": {"attribute": "hobbies_interests", "type": "text"},
        },
        "timezones": {},
    },
    "tool": "google",
    "notes": {
        "Timestamp": ["form metadata"],
        "Email Address": ["the email is the id: the sheet has no employee-id column"],
        "How many mentees can you take on?": [
            '"1-2" counts as 2; "3+", "up to 2" and "none" are read as numbers',
            "from 3 to 3",
        ],
        "Hobbies and interests": ["free text, answered by 2"],
    },
    "timezones": {},
    "reads": {"ok": True, "mentors": 1, "mentees": 1, "total_errors": 0, "errors": []},
}


_SEGMENT = "[!-.0-~]([ -.0-~]*[!-.0-~])?"  # printable ASCII but '/', no spaces at the ends
NAME_PATTERN = f"^{_SEGMENT}(/{_SEGMENT})*$"


def _name(value: str) -> None:
    if value != value.strip() or not value.isprintable():
        raise ValidationError("expected printable characters without spaces at either end")
    if value.startswith("/") or value.endswith("/") or "//" in value:
        raise ValidationError(
            "expected a name that can be part of a URL path (no leading, trailing or doubled '/')"
        )


class MappingIn(Schema):
    """A mapping template to save: its name in your organization and the mapping."""

    name = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=200), _name],
        metadata={
            "example": "Google form, spring",
            # The ASCII part of what _name takes (it also takes other printable characters).
            "pattern": NAME_PATTERN,
        },
    )
    mapping = fields.Dict(
        required=True,
        metadata={
            "description": "a mapping file's content as JSON: mapping, sheet, columns, "
            "timezones (README: From a sign-up form)"
        },
    )


class MappingPut(Schema):
    """The mapping that replaces a template's."""

    mapping = fields.Dict(required=True)


class TemplateLinks(Schema):
    self = fields.String(required=True)


class TemplateOut(Schema):
    name = fields.String(required=True)
    mapping = fields.Dict(required=True)
    created_at = UtcDateTime(required=True)
    links = fields.Nested(TemplateLinks, required=True)


TemplatePage = _page_schema("TemplatePage", TemplateOut)


class TemplateArgs(PageArgs):
    """``GET /mappings``: pages of the organization's templates, by name."""


class SuggestQuery(Schema):
    sheet = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "the workbook sheet to read (default: the first)"},
    )


class ZoneChoice(Schema):
    zone = fields.String(required=True)
    meaning = fields.String(required=True)


class MappingReadsOut(Schema):
    """Whether the sheet reads with the suggested mapping, as ``mentormatch map`` says."""

    ok = fields.Boolean(required=True)
    mentors = fields.Integer(allow_none=True)
    mentees = fields.Integer(allow_none=True)
    total_errors = fields.Integer(required=True)
    errors = fields.List(fields.Nested(ProblemItemSchema), required=True)
    stopped_at = fields.String(metadata={"description": "checking stopped here (many problems)"})


class MappingSuggestionOut(Schema):
    """The mapping ``mentormatch map`` writes for the sheet, as JSON, with its notes."""

    mapping = fields.Dict(required=True)
    tool = fields.String(required=True, validate=validate.OneOf(("google", "microsoft", "sheet")))
    notes = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True)
    timezones = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Nested(ZoneChoice)),
        required=True,
        metadata={
            "description": "answers that name several zones, with the choices; add the one "
            "meant to the mapping's timezones"
        },
    )
    reads = fields.Nested(MappingReadsOut, required=True)
