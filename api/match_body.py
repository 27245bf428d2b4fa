"""``POST /match``'s body decoded straight into typed records, or None for the general way.

An HR system sends the body as the API documents it: ``{"cohort": {participants | mentors
+ mentees, org_chart}, "policy": {...}}`` with records in their typed form. For such a
body, :func:`quick_match` decodes the bytes with msgspec into the core's typed records
(:class:`matcher.io.typed_records.RecordIn`) in one pass, types and ranges checked in C,
and builds the Cohort from them (:func:`matcher.io.typed_records.cohort_of_typed`): no
parse into dicts, no walk over every value for the JSON limits, no second conversion.

Like the core's quick pass it never reports. Any other body (another key spelling, a
count as text, an unknown key, more participants than the route takes, a policy its
schema refuses, anything outside the JSON limits of :mod:`api.jsonbody`) or any problem
with a record gives None, and the view reads the body the general way (webargs and the
schema, then the core's general validator), which answers exactly as before: the same
status, the same problems. The tests compare both ways on generated bodies.
"""

from __future__ import annotations

import msgspec
from marshmallow import ValidationError

from api.ids import id_problems
from api.jsonbody import schema_instance, within_limits
from api.policy_schemas import PolicyIn
from matcher.io.fields import alias_table
from matcher.io.typed_records import RecordIn, cohort_of_typed
from matcher.model import Cohort

_ABSENT = msgspec.UNSET  # a key left out, told apart from one given as null


class TypedPeople(msgspec.Struct, forbid_unknown_fields=True):
    participants: list[RecordIn] | msgspec.UnsetType = _ABSENT
    mentors: list[RecordIn] | msgspec.UnsetType = _ABSENT
    mentees: list[RecordIn] | msgspec.UnsetType = _ABSENT
    org_chart: list[tuple[str, str]] = []


class TypedMatch(msgspec.Struct, forbid_unknown_fields=True):
    cohort: TypedPeople
    policy: dict | msgspec.UnsetType = _ABSENT


_DECODER = msgspec.json.Decoder(TypedMatch)


def quick_match(raw: bytes, limit: int) -> tuple[Cohort, dict] | None:
    """The Cohort and the policy (as sent) of a ``POST /match`` body in the documented
    typed form with nothing wrong in it; None for every other body.

    Parameters
    ----------
    raw : the request body.
    limit : the most participants the route takes (more: None, the general way says 413).
    """
    if b"\\u0000" in raw:  # a NUL in a string: the JSON limits' message
        return None
    try:
        body = _DECODER.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return None
    batches = _batches(body.cohort)
    if batches is None or sum(len(records) for records, _ in batches) > limit:
        return None
    policy = {} if body.policy is _ABSENT else body.policy
    attributes = [r.attributes for records, _ in batches for r in records if r.attributes]
    if not within_limits([policy, *attributes]):  # numbers beyond 2^53, deep nesting
        return None
    try:
        schema_instance(PolicyIn).load(policy)
    except ValidationError:
        return None
    cohort = cohort_of_typed(batches, alias_table(None), body.cohort.org_chart)
    if cohort is None or id_problems(cohort):
        return None
    return cohort, policy


def _batches(people: TypedPeople) -> list | None:
    """(records, role) for each input form, as the core's quick pass takes them; None
    when neither or both forms are given."""
    one = people.participants is not _ABSENT
    two = (people.mentors is not _ABSENT, people.mentees is not _ABSENT)
    if one and not any(two):
        return [(people.participants, None)]
    if all(two) and not one:
        return [(people.mentors, "mentor"), (people.mentees, "mentee")]
    return None
