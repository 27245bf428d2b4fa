"""The one check the HR-data routes make before they act: :func:`require_scope`.

Key scopes (read, write, admin) are being added to :mod:`api.keys` and :mod:`api.auth`
on another branch. Until then every organization key has full access to its own
organization, as it always had, so ``require_scope("admin")`` accepts any authenticated
key. Once authentication puts the key's scopes in ``g.key_scopes`` (a collection of
names), this function enforces them, and no route needs to change.
"""

from __future__ import annotations

from flask import g

from api.errors import ApiProblem


def require_scope(scope: str) -> None:
    """Refuse the request (403 problem) unless its key carries ``scope``.

    Parameters
    ----------
    scope : ``read``, ``write`` or ``admin``.

    Raises
    ------
    ApiProblem
        403 when the key's scopes are known and ``scope`` is not among them.
    """
    scopes = g.get("key_scopes")
    if scopes is None:  # keys without scopes: full access to their organization
        return
    if scope not in scopes and "admin" not in scopes:
        raise ApiProblem(
            403,
            "insufficient scope",
            f"this route needs a key with the {scope!r} scope; this key has "
            f"{', '.join(sorted(scopes)) or 'none'}",
            kind="insufficient-scope",
            required_scope=scope,
        )
