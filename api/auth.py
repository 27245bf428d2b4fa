"""Bearer keys: ``Authorization: Bearer mm_...`` -> ``g.organization_id``, else 401.

Registered as a ``before_request`` hook on every resource blueprint (health, the spec and
the docs page stay open). The 401 carries ``WWW-Authenticate: Bearer`` as RFC 6750 asks.
"""

from __future__ import annotations

from flask import g, request

from api.errors import ApiProblem
from api.keys import authenticate
from api.services import services

REALM = 'Bearer realm="mentormatch"'


def require_key() -> None:
    """Authenticate the request's key; raise a 401 problem when it is missing or bad."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise ApiProblem(
            401,
            "authentication required",
            "send an organization key as 'Authorization: Bearer <key>' "
            "(make one with `mentormatch keys create --org NAME`)",
            kind="unauthorized",
            headers={"WWW-Authenticate": REALM},
        )
    with services().sessions() as session:
        organization = authenticate(session, key)
        organization_id = organization.id if organization is not None else None
    if organization_id is None:
        raise ApiProblem(
            401,
            "authentication required",
            "the key is unknown or revoked",
            kind="unauthorized",
            headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
        )
    g.organization_id = organization_id
