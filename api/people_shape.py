"""The shape check of a cohort's people in a JSON body, in one pass over the records.

``POST /match`` answers within a small multiple of the solve, so its cohort is not loaded
through a marshmallow schema per record: :class:`PeopleField` is documented as
:class:`api.schemas.PeopleIn` (the OpenAPI document is unchanged) but checks only the
shape that schema checks (lists of objects, org-chart edges of two strings), with
marshmallow's own messages so problems read as before. What a record says is then
validated once, by the core (:func:`matcher.io.records.cohort_from_records`).
"""

from __future__ import annotations

from collections.abc import Mapping

from marshmallow import ValidationError, fields

PEOPLE_LISTS = ("participants", "mentors", "mentees")
INVALID = "Invalid input type."
NOT_LIST = "Not a valid list."
NULL = "Field may not be null."


def _records(records) -> list | dict | None:
    """marshmallow's errors for one list of records (None when its shape is right)."""
    if records is None:
        return [NULL]
    if not isinstance(records, list):
        return [NOT_LIST]
    bad = {}
    for k, record in enumerate(records):
        if record is None:
            bad[k] = [NULL]
        elif not isinstance(record, dict):
            bad[k] = {"_schema": [INVALID]}
    return bad or None


def _edges(edges) -> list | dict | None:
    """marshmallow's errors for ``org_chart``: a list of [person_id, manager_id] lists."""
    if edges is None:
        return [NULL]
    if not isinstance(edges, list):
        return [NOT_LIST]
    bad = {}
    for k, edge in enumerate(edges):
        if edge is None:
            bad[k] = [NULL]
        elif not isinstance(edge, list):
            bad[k] = [NOT_LIST]
        elif wrong := [n for n, x in enumerate(edge) if not isinstance(x, str)]:
            bad[k] = {n: ["Not a valid string."] for n in wrong}
        elif len(edge) != 2:
            bad[k] = ["Length must be 2."]
    return bad or None


def people_shape(value) -> dict:
    """``value`` as a dict when it has the shape of :class:`api.schemas.PeopleIn`.

    Raises
    ------
    ValidationError
        With the messages marshmallow would give, keyed the same way (list, row).
    """
    if not isinstance(value, Mapping):
        raise ValidationError({"_schema": [INVALID]})
    errors = {}
    for key in PEOPLE_LISTS:
        if key in value and (found := _records(value[key])) is not None:
            errors[key] = found
    if "org_chart" in value and (found := _edges(value["org_chart"])) is not None:
        errors["org_chart"] = found
    if errors:
        raise ValidationError(errors)
    return dict(value)


class PeopleField(fields.Nested):
    """A ``Nested(PeopleIn)`` in the OpenAPI document, loaded by :func:`people_shape`."""

    def _deserialize(self, value, attr, data, partial=None, **kwargs):
        return people_shape(value)
