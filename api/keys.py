"""Organization API keys: made once, shown once, stored as a SHA-256 hash.

A key reads ``mm_<prefix>_<secret>``: the 8-hex-digit prefix finds the row without a scan,
the hash of the whole key proves it. A key carries scopes (:data:`SCOPES`), may expire
(``expires_at``), and stops at once when revoked. Rotation makes a successor with the same
organization, label and scopes and lets the old key live on for an overlap, so a client
can switch without downtime. The time of last use is written at most once per
:data:`LAST_USED_EVERY` per key, so authenticating is not a write per request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from api.db import read_rows
from api.tables import ApiKey, Organization, utcnow

KEY_PREFIX = "mm_"
SCOPES = ("read", "write", "admin")
LAST_USED_EVERY = timedelta(minutes=1)
DURATION = re.compile(r"(\d+)\s*([smhd])")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class KeyProblem(ValueError):
    """A key operation refused (unknown scope, unknown key, bad duration); says why."""


@dataclass(frozen=True)
class Caller:
    """Who a valid key speaks for: its organization, its prefix and its scopes."""

    organization_id: int
    prefix: str
    scopes: frozenset[str]


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes: they were stored as UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def parse_duration(text: str) -> timedelta:
    """``"24h"``, ``"90d"``, ``"30m"``, ``"1d12h"`` as a timedelta.

    Raises
    ------
    KeyProblem
        If ``text`` is not one or more ``<number><s|m|h|d>`` parts.
    """
    compact = text.replace(" ", "")
    parts = DURATION.findall(compact)
    if not parts or "".join(n + u for n, u in parts) != compact:
        raise KeyProblem(f"duration {text!r}: expected e.g. 30m, 24h, 90d or 1d12h")
    return sum((timedelta(**{UNITS[u]: int(n)}) for n, u in parts), timedelta())


def parse_scopes(names) -> str:
    """Scope names (any order, duplicates allowed) as the stored, ordered string.

    Raises
    ------
    KeyProblem
        If a name is not one of :data:`SCOPES`, or none is given.
    """
    given = set(names)
    if not given or not given <= set(SCOPES):
        unknown = ", ".join(sorted(given - set(SCOPES))) or "none given"
        raise KeyProblem(f"scopes: {unknown}; expected some of {', '.join(SCOPES)}")
    return " ".join(s for s in SCOPES if s in given)


def organization(session: Session, name: str, *, create: bool = False) -> Organization | None:
    """The organization called ``name``; made when ``create`` and it does not exist."""
    found = session.scalar(select(Organization).where(Organization.name == name))
    if found is None and create:
        found = Organization(name=name)
        session.add(found)
        session.flush()
    return found


def create_key(
    session: Session,
    org_name: str,
    label: str | None = None,
    *,
    scopes=SCOPES,
    expires_at: datetime | None = None,
) -> tuple[str, ApiKey]:
    """A new key for ``org_name`` (the organization is made if new).

    Parameters
    ----------
    session : an open session; the caller commits.
    org_name : the organization's name.
    label : a note to tell keys apart.
    scopes : names from :data:`SCOPES` (default: all three).
    expires_at : when the key stops working (None: never).

    Returns
    -------
    (key, row)
        The key in clear, to be shown once, and its stored row (hash only).

    Raises
    ------
    KeyProblem
        If a scope is unknown.
    """
    stored_scopes = parse_scopes(scopes)
    org = organization(session, org_name, create=True)
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(
        organization_id=org.id,
        prefix=prefix,
        key_hash=_hash(key),
        label=label,
        scopes=stored_scopes,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return key, row


def _prefix(text: str) -> str:
    if text.startswith(KEY_PREFIX):
        return text.removeprefix(KEY_PREFIX).split("_", 1)[0]
    return text


def live_key(session: Session, prefix: str, org_name: str | None = None) -> ApiKey | None:
    """The unrevoked, unexpired key with ``prefix`` (optionally of ``org_name``)."""
    statement = select(ApiKey).where(ApiKey.prefix == _prefix(prefix), ApiKey.revoked_at.is_(None))
    if org_name is not None:
        statement = statement.join(Organization).where(Organization.name == org_name)
    now = utcnow()
    for row in session.scalars(statement):
        if row.expires_at is None or _aware(row.expires_at) > now:
            return row
    return None


def revoke_key(session: Session, prefix: str) -> ApiKey | None:
    """Revoke the key whose prefix is ``prefix`` (the 8 hex digits after ``mm_``, or the
    whole key). Returns the row, or None when no live key has that prefix."""
    row = session.scalar(
        select(ApiKey).where(ApiKey.prefix == _prefix(prefix), ApiKey.revoked_at.is_(None))
    )
    if row is not None:
        row.revoked_at = utcnow()
    return row


def rotate_key(
    session: Session,
    org_name: str,
    prefix: str,
    overlap: timedelta,
    expires_at: datetime | None = None,
) -> tuple[str, ApiKey, ApiKey]:
    """Replace a live key: a successor with the same label and scopes; the old key keeps
    working until ``overlap`` has passed (or its own earlier expiry).

    Returns
    -------
    (key, new_row, old_row)

    Raises
    ------
    KeyProblem
        If ``org_name`` has no live key with ``prefix``.
    """
    old = live_key(session, prefix, org_name)
    if old is None:
        raise KeyProblem(f"organization {org_name!r} has no live key with prefix {prefix!r}")
    key, new = create_key(
        session, org_name, old.label, scopes=old.scopes.split(), expires_at=expires_at
    )
    ends = utcnow() + overlap
    old.expires_at = min(ends, _aware(old.expires_at)) if old.expires_at is not None else ends
    old.replaced_by = new.prefix
    return key, new, old


def key_state(row: ApiKey, now: datetime | None = None) -> str:
    """``revoked``, ``expired`` or ``live``."""
    now = now or utcnow()
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at is not None and _aware(row.expires_at) <= now:
        return "expired"
    return "live"


def list_keys(session: Session, organization_id: int) -> list[ApiKey]:
    """The organization's keys, newest first (revoked and expired ones included)."""
    statement = (
        select(ApiKey)
        .where(ApiKey.organization_id == organization_id)
        .order_by(ApiKey.created_at.desc(), ApiKey.id.desc())
    )
    return list(session.scalars(statement))


# Built once: the live rows of a prefix, only the columns that decide (no ORM objects).
_LIVE_BY_PREFIX = select(
    ApiKey.id,
    ApiKey.organization_id,
    ApiKey.prefix,
    ApiKey.key_hash,
    ApiKey.scopes,
    ApiKey.expires_at,
    ApiKey.last_used_at,
).where(ApiKey.prefix == bindparam("prefix"), ApiKey.revoked_at.is_(None))


def find_key(db: Session | Connection, key: str) -> tuple[Caller, int | None] | None:
    """Who a presented key speaks for, reading only; None for a bad, revoked or expired key.

    Every call reads the key's row, so a revocation or expiry holds from the next
    request. The API reads it with :func:`read_key`, the same lookup on a bare pooled
    connection.

    Returns
    -------
    (Caller, key id or None) or None
        The key's id when its time of use is older than :data:`LAST_USED_EVERY`, for
        :func:`touch_key`; None when it is recent.
    """
    if not _well_formed(key):
        return None
    return _decide(db.execute(_LIVE_BY_PREFIX, {"prefix": _prefix(key)}), key)


def read_key(engine: Engine, key: str) -> tuple[Caller, int | None] | None:
    """:func:`find_key` read on a pooled DB-API connection (:func:`api.db.read_rows`):
    the lookup of every API request, an eighth of the cost of a SQLAlchemy connection
    and transaction, and on SQLite it never waits for writers."""
    if not _well_formed(key):
        return None
    return _decide(read_rows(engine, _LIVE_BY_PREFIX, {"prefix": _prefix(key)}), key)


def _well_formed(key: str) -> bool:
    return key.startswith(KEY_PREFIX) and key.count("_") >= 2


def _decide(rows, key: str) -> tuple[Caller, int | None] | None:
    """The caller of ``key`` among the live rows of its prefix (columns of _LIVE_BY_PREFIX)."""
    digest = _hash(key)
    now = utcnow()
    for key_id, organization_id, prefix, key_hash, scopes, expires_at, last_used_at in rows:
        if not hmac.compare_digest(key_hash, digest):
            continue
        if expires_at is not None and _aware(expires_at) <= now:
            return None
        last = _aware(last_used_at)
        stale = key_id if last is None or now - last >= LAST_USED_EVERY else None
        return Caller(organization_id, prefix, frozenset(scopes.split())), stale
    return None


def touch_key(db: Session | Connection, key_id: int) -> None:
    """Record a key's time of use: one UPDATE, guarded so that keys used at once write it
    once a :data:`LAST_USED_EVERY`."""
    now = utcnow()
    stale = ApiKey.last_used_at.is_(None) | (ApiKey.last_used_at < now - LAST_USED_EVERY)
    touch = update(ApiKey).where(ApiKey.id == key_id, stale).values(last_used_at=now)
    db.execute(touch.execution_options(synchronize_session=False))


def authenticate(db: Session | Connection, key: str) -> Caller | None:
    """:func:`find_key` and, when due, :func:`touch_key` in the caller's transaction.

    Parameters
    ----------
    db : a session or a connection in a transaction; the caller commits.
    key : the key as presented.

    Returns
    -------
    Caller or None
    """
    found = find_key(db, key)
    if found is None:
        return None
    caller, stale = found
    if stale is not None:
        touch_key(db, stale)
    return caller
