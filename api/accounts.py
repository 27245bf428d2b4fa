"""Coordinators' accounts: users per organization, argon2id passwords, one-time links to
set a password (invitations and resets, printed by `mentormatch users invite`: no mail
server needed), signed-in sessions stored by hash, and throttled sign-in failures.

Nothing here reads a request: the web views and the commands pass what they know. Emails
are compared lower-case; failures are counted by the SHA-256 of the email and of the
address they came from, so the table holds neither in clear.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.keys import organization
from api.tables import utcnow
from api.tables_web import LoginFailure, User, UserToken, WebSession

MIN_PASSWORD = 10
MAX_PASSWORD = 256
_HASHER = PasswordHasher()  # argon2id, 64 MiB, 3 passes: about 0.15 s on one core
_DUMMY = _HASHER.hash("not a password anyone has")


class AccountError(ValueError):
    """A request about an account that cannot be met; the message says why, for people."""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normal_email(email: str) -> str:
    """``email`` trimmed and lower-case; AccountError unless it looks like an address."""
    email = (email or "").strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > 320 or any(c.isspace() for c in email):
        raise AccountError("expected an email address such as ada@example.org")
    return email


def check_password(password: str) -> str:
    """``password`` if it is long enough; AccountError otherwise."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"a password has at most {MAX_PASSWORD} characters")
    return password


def find_user(session: Session, email: str) -> User | None:
    """The user with this email (any case), or None."""
    try:
        email = normal_email(email)
    except AccountError:
        return None
    return session.scalar(select(User).where(User.email == email))


def create_user(session: Session, org_name: str, email: str, password: str | None) -> User:
    """A new user of ``org_name`` (made if new); no password means invited, not yet able
    to sign in.

    Raises
    ------
    AccountError
        A bad email or password, or an email that already has an account.
    """
    email = normal_email(email)
    if find_user(session, email) is not None:
        raise AccountError(f"{email} already has an account")
    org = organization(session, org_name, create=True)
    user = User(organization_id=org.id, email=email)
    if password is not None:
        user.password_hash = _HASHER.hash(check_password(password))
    session.add(user)
    session.flush()
    return user


def one_time_link(session: Session, user: User, hours: float) -> str:
    """A new one-time token for ``user`` to set a password (invite before the first
    password, reset after); earlier unused tokens stop working. Returns the token."""
    now = utcnow()
    session.execute(
        delete(UserToken).where(UserToken.user_id == user.id, UserToken.used_at.is_(None))
    )
    token = secrets.token_urlsafe(32)
    purpose = "reset" if user.password_hash else "invite"
    session.add(
        UserToken(
            user_id=user.id,
            token_hash=_digest(token),
            purpose=purpose,
            expires_at=now + timedelta(hours=hours),
        )
    )
    session.flush()
    return token


def token_user(session: Session, token: str) -> tuple[UserToken, User] | None:
    """The live token and its user, or None for an unknown, used or expired link."""
    row = session.scalar(select(UserToken).where(UserToken.token_hash == _digest(token or "")))
    if row is None or row.used_at is not None or _aware(row.expires_at) <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled_at is not None:
        return None
    return row, user


def set_password(session: Session, user: User, password: str, token: UserToken | None) -> None:
    """Set ``user``'s password, use up ``token``, and end every session of the user."""
    user.password_hash = _HASHER.hash(check_password(password))
    if token is not None:
        token.used_at = utcnow()
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))


@dataclass(frozen=True)
class Throttle:
    """How many failed sign-ins an email or an address may have in ``window`` seconds."""

    max_failures: int
    window: float


def _keys(email: str, address: str | None) -> list[str]:
    keys = [_digest("email:" + (email or "").strip().lower())]
    if address:
        keys.append(_digest("ip:" + address))
    return keys


def wait_seconds(session: Session, email: str, address: str | None, throttle: Throttle) -> int:
    """Seconds until this email and address may try again (0: now)."""
    since = utcnow() - timedelta(seconds=throttle.window)
    wait = 0
    for key in _keys(email, address):
        failures = session.execute(
            select(func.count(), func.min(LoginFailure.at)).where(
                LoginFailure.key == key, LoginFailure.at > since
            )
        ).one()
        if failures[0] >= throttle.max_failures:
            left = (_aware(failures[1]) - since).total_seconds()
            wait = max(wait, int(left) + 1)
    return wait


def authenticate(
    session: Session, email: str, password: str, address: str | None, throttle: Throttle
) -> User | None:
    """The user when email and password are right, the account is live and not
    throttled; else None, and the failure is counted. Takes as long for an unknown email."""
    user = find_user(session, email)
    hashed = user.password_hash if user is not None and user.password_hash else _DUMMY
    try:
        good = _HASHER.verify(hashed, password or "")
    except (VerificationError, InvalidHashError):
        good = False
    live = user is not None and user.password_hash and user.disabled_at is None
    if good and live:
        if _HASHER.check_needs_rehash(user.password_hash):
            user.password_hash = _HASHER.hash(password)
        return user
    now = utcnow()
    session.add_all([LoginFailure(key=key, at=now) for key in _keys(email, address)])
    session.execute(
        delete(LoginFailure).where(LoginFailure.at < now - timedelta(seconds=throttle.window))
    )
    return None


def start_session(session: Session, user: User, hours: float) -> str:
    """A new signed-in session of ``user``; returns the token the cookie carries."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        WebSession(
            user_id=user.id, token_hash=_digest(token), expires_at=now + timedelta(hours=hours)
        )
    )
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    return token


def session_user(session: Session, token: str) -> User | None:
    """The live user of a session token, or None (unknown, expired, disabled)."""
    row = session.scalar(select(WebSession).where(WebSession.token_hash == _digest(token or "")))
    if row is None or _aware(row.expires_at) <= utcnow():
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.disabled_at is None else None


def end_session(session: Session, token: str) -> None:
    """Forget a session (logging out)."""
    session.execute(delete(WebSession).where(WebSession.token_hash == _digest(token or "")))


def _aware(moment: datetime) -> datetime:
    """SQLite gives datetimes back without their zone; they were stored in UTC."""
    from datetime import UTC

    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
