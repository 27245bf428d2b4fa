"""Organization API keys: made once, shown once, stored as a SHA-256 hash.

A key reads ``mm_<prefix>_<secret>``: the 8-hex-digit prefix finds the row without a scan,
the hash of the whole key proves it. Revoked keys stop working at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.tables import ApiKey, Organization, utcnow

KEY_PREFIX = "mm_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def organization(session: Session, name: str, *, create: bool = False) -> Organization | None:
    """The organization called ``name``; made when ``create`` and it does not exist."""
    found = session.scalar(select(Organization).where(Organization.name == name))
    if found is None and create:
        found = Organization(name=name)
        session.add(found)
        session.flush()
    return found


def create_key(session: Session, org_name: str, label: str | None = None) -> tuple[str, ApiKey]:
    """A new key for ``org_name`` (the organization is made if new).

    Returns
    -------
    (key, row)
        The key in clear, to be shown once, and its stored row (hash only).
    """
    org = organization(session, org_name, create=True)
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(organization_id=org.id, prefix=prefix, key_hash=_hash(key), label=label)
    session.add(row)
    session.flush()
    return key, row


def revoke_key(session: Session, prefix: str) -> ApiKey | None:
    """Revoke the key whose prefix is ``prefix`` (the 8 hex digits after ``mm_``, or the
    whole key). Returns the row, or None when no live key has that prefix."""
    if prefix.startswith(KEY_PREFIX):
        prefix = prefix.removeprefix(KEY_PREFIX).split("_", 1)[0]
    row = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None)))
    if row is not None:
        row.revoked_at = utcnow()
    return row


def authenticate(session: Session, key: str) -> Organization | None:
    """The organization a presented key belongs to, or None for a bad or revoked key."""
    if not key.startswith(KEY_PREFIX) or key.count("_") < 2:
        return None
    prefix = key.removeprefix(KEY_PREFIX).split("_", 1)[0]
    digest = _hash(key)
    rows = session.scalars(
        select(ApiKey).where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None))
    )
    for row in rows:
        if hmac.compare_digest(row.key_hash, digest):
            return row.organization
    return None
