"""``GET /api/v1/keys``: the organization's keys for an admin key (prefixes, never secrets).

Keys are made, rotated and revoked with `mentormatch keys` on the server, where the new
key can be shown once to the operator; the API only lists them.
"""

from __future__ import annotations

from flask import g

from api import key_schemas
from api.keys import key_state, list_keys
from api.services import services
from api.views import Blueprint, problems, protected

blp = protected(Blueprint("keys", __name__, url_prefix="/api/v1"))


@blp.route("/keys", methods=["GET"])
@blp.response(200, key_schemas.KeyList)
@problems(blp, 401, 403)
def list_keys_route():
    """The organization's keys, newest first: prefix, label, scopes, state, dates."""
    with services().sessions() as session:
        rows = list_keys(session, g.organization_id)
        return {"items": [present(row) for row in rows]}


def present(row) -> dict:
    """A key row as :class:`api.key_schemas.KeyOut` (no hash: it is not a column here)."""
    shown = {column: getattr(row, column) for column in COLUMNS}
    return {**shown, "scopes": row.scopes.split(), "state": key_state(row)}


COLUMNS = ("prefix", "label", "created_at", "expires_at", "revoked_at", "last_used_at")
COLUMNS += ("replaced_by",)
