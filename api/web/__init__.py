"""The coordinator's web app: server-rendered pages at ``/`` on the service's own Flask app.

Pages are Jinja templates (``templates/``) with forms that work without JavaScript; the
vendored htmx (``static/htmx.min.js``, its licence beside it) and ``static/app.js`` only
enhance them (run progress, row actions, drag-and-drop, slider read-outs). Every asset is
served from here; the Content-Security-Policy allows nothing else.

Views stay thin: the core reads sheets, suggests mappings, solves and rematches; the JSON
API's operations (:mod:`api.operations`, :mod:`api.whatif`, :mod:`api.store`) queue runs
and store cohorts. Sign-in is :mod:`api.web.auth` (Flask-Login sessions stored by hash,
CSRF on every form by Flask-WTF); a signed-in coordinator's organization is
``g.organization_id``, so every lookup through :func:`api.operations.owned` is scoped to it.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from flask import Blueprint, Flask, g, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from api.auth import PROTECTED

bp = Blueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)
csrf = CSRFProtect()
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


class _SessionCookies(SecureCookieSessionInterface):
    """Session cookies are Secure on every HTTPS request (and always with SECURE_COOKIES).

    The JSON API authenticates by key, never by cookie: its requests get no session (a
    cookie sent along is not read, and none is set), which also spares each one the
    cookie's signature check.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def open_session(self, app: Flask, request):
        if request.blueprint in PROTECTED:
            return self.make_null_session(app)
        return super().open_session(app, request)


def instance_secret(instance_path: str) -> str:
    """The instance folder's ``secret_key`` file (made 0600 with a random key if missing;
    processes that start together agree on one)."""
    import secrets

    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / "secret_key"
    if not path.exists():
        draft = folder / f".secret_key.{os.getpid()}"
        fd = os.open(draft, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
        try:
            os.link(draft, path)  # fails if another process was first: use theirs
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def init_web(app: Flask, settings: dict) -> None:
    """Register the web app on ``app``: cookies, CSRF, sign-in, the pages."""
    from api.web import auth

    app.secret_key = settings["SECRET_KEY"] or instance_secret(app.instance_path)
    app.config.update(
        SESSION_COOKIE_NAME="mentormatch_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(settings["SECURE_COOKIES"]),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=float(settings["SESSION_HOURS"])),
        WTF_CSRF_CHECK_DEFAULT=False,  # the JSON API uses keys, not cookies: pages only
        WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as the session it belongs to
    )
    app.session_interface = _SessionCookies()
    csrf.init_app(app)
    auth.login_manager.init_app(app)
    from api.web import cohorts, imports, runs, team, whatif  # noqa: F401  (routes join bp)

    app.register_blueprint(bp)


@bp.before_request
def _guard():
    """CSRF on every form; sign-in on every page but the public ones."""
    from api.web.auth import require_sign_in

    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()
    return require_sign_in()


@bp.after_request
def _headers(response):
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = PAGE_CSP
    return response


@bp.app_context_processor
def _globals():
    from flask_login import current_user

    return {"user": current_user, "organization": g.get("organization_name")}


@bp.errorhandler(CSRFError)
def _csrf_failed(error):
    message = (
        "This form was not sent by a page of this site, or its page is too old. "
        "Go back, reload the page and send it again."
    )
    return render_template("error.html", title="Form expired", message=message), 400


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    """Errors inside pages as pages: the problem's title and what to do."""
    title = getattr(error, "title", None) or error.name
    code = error.code or 500
    if code == 404:
        message = "There is nothing here, or it belongs to another organization."
    else:
        message = error.description or ""
    headers = getattr(error, "extra_headers", None) or {}
    return render_template("error.html", title=title, message=message), code, headers


@bp.errorhandler(Exception)
def _unexpected(error: Exception):
    """A page for what no view expected: logged on one line (no message), the request
    id to quote; a database outage says to retry."""
    from api.errors import is_outage, log_error

    code = 503 if is_outage(error) else 500
    log_error(error, code)
    if code == 503:
        message = "The database cannot be reached at the moment. Try again in a minute."
    else:
        message = f"Something went wrong on our side. Quote {g.get('request_id')} to report it."
    return render_template("error.html", title="Sorry", message=message), code
