"""Signing in and out: ``/login``, ``/logout`` and ``/welcome/<token>`` (a one-time link
to set a password, from `mentormatch users invite`).

Flask-Login keeps a session token in the signed cookie; :mod:`api.accounts` keeps its
hash, so logging out, a new password or the end of ``SESSION_HOURS`` ends the session on
the server too. Failed sign-ins are throttled per email and per address; the answer never
says whether an email has an account.

Each sign-in, failed sign-in, sign-out and password set is an audit entry in the same
transaction (:func:`_audit`, :func:`_audit_failure`): ids only, a failure by a keyed hash
of the email given.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from api import accounts, audit
from api.db import transaction
from api.services import services
from api.web import bp

login_manager = LoginManager()
login_manager.session_protection = None  # the token itself is checked on every request
PUBLIC = {"web.login", "web.welcome", "web.static"}


@dataclass(frozen=True)
class Coordinator(UserMixin):
    """The signed-in user as pages see it (not a database row)."""

    user_id: int
    email: str
    organization_id: int
    organization_name: str
    token: str

    def get_id(self) -> str:
        return self.token


def _coordinator(user, token: str) -> Coordinator:
    return Coordinator(user.id, user.email, user.organization_id, user.organization.name, token)


@login_manager.user_loader
def _load(token: str) -> Coordinator | None:
    with services().sessions() as db:
        user = accounts.session_user(db, token)
        return _coordinator(user, token) if user is not None else None


def require_sign_in():
    """Set ``g.organization_id`` for a signed-in coordinator; send others to /login."""
    if request.endpoint in PUBLIC:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
    g.organization_id = current_user.organization_id
    g.organization_name = current_user.organization_name
    g.user_id = current_user.user_id
    return None


def _throttle() -> accounts.Throttle:
    settings = services().settings
    return accounts.Throttle(
        int(settings["LOGIN_MAX_FAILURES"]), float(settings["LOGIN_WINDOW_SECONDS"])
    )


def local_path(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site (never another host), else ``default``."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def _audit(db, action: str, user, **detail) -> None:
    """An audit entry about ``user``'s account, by that user."""
    audit.record(
        db,
        action,
        organization_id=user.organization_id,
        object_type="user",
        object_id=str(user.id),
        detail=detail or None,
        who=f"user:{user.id}",
    )


def _audit_failure(db, email: str, reason: str) -> None:
    """A failed sign-in: in the log of the organization whose account the email names
    (else the service's), by a keyed hash of the email, never the email."""
    named = accounts.find_user(db, email)
    audit.record(
        db,
        "user.sign_in_failed",
        organization_id=named.organization_id if named is not None else None,
        object_type="email",
        object_id=audit.email_hash(email, current_app.secret_key),
        detail={"reason": reason},
        who="anonymous",
    )


def _sign_in(db, user) -> None:
    token = accounts.start_session(db, user, float(services().settings["SESSION_HOURS"]))
    session.clear()
    session.permanent = True
    login_user(_coordinator(user, token))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; a right email and password start a session."""
    next_page = local_path(request.values.get("next"), url_for("web.home"))
    if request.method == "GET":
        return render_template("login.html", next=next_page, email="")
    email = request.form.get("email", "")
    password = request.form.get("password", "")
    address = request.remote_addr
    with transaction(services().sessions) as db:
        wait = accounts.wait_seconds(db, email, address, _throttle())
        user = None if wait else accounts.authenticate(db, email, password, address, _throttle())
        if user is not None:
            _sign_in(db, user)
            _audit(db, "user.signed_in", user)
        else:
            _audit_failure(db, email, "throttled" if wait else "wrong email or password")
    if wait:
        minutes = -(-wait // 60)
        error = f"Too many failed attempts. Try again in {minutes} minute(s)."
        return render_template("login.html", next=next_page, email=email, error=error), 429
    if user is None:
        error = "That email and password do not match an account."
        return render_template("login.html", next=next_page, email=email, error=error), 401
    return redirect(next_page, 303)


@bp.route("/logout", methods=["POST"])
def logout():
    """End this session, here and on the server."""
    with transaction(services().sessions) as db:
        accounts.end_session(db, current_user.token)
        audit.record(db, "user.signed_out", object_type="user", object_id=str(g.user_id))
    logout_user()
    session.clear()
    flash("You are signed out.")
    return redirect(url_for("web.login"), 303)


@bp.route("/welcome/<token>", methods=["GET", "POST"])
def welcome(token):
    """Set a password from a one-time link, then sign in. Pages are rendered after the
    transaction ends (a signed-in browser's page reads its user in another session)."""
    error = None
    with transaction(services().sessions) as db:
        found = accounts.token_user(db, token)
        if found is not None:
            row, user = found
            email, purpose = user.email, row.purpose
            if request.method == "POST":
                password = request.form.get("password", "")
                if password != request.form.get("confirm", ""):
                    error = "The two passwords are not the same."
                else:
                    try:
                        accounts.set_password(db, user, password, row)
                    except accounts.AccountError as problem:
                        error = str(problem)
                if error is None:
                    _audit(db, "user.password_set", user, purpose=purpose)
                    _sign_in(db, user)
                    _audit(db, "user.signed_in", user)
    if found is None:
        message = "This link has been used or has expired. Ask for a new one."
        return render_template("error.html", title="Link not valid", message=message), 404
    if request.method == "GET" or error:
        page = render_template("welcome.html", email=email, purpose=purpose, error=error)
        return page, 422 if error else 200
    flash("Your password is set.")
    return redirect(url_for("web.home"), 303)
