"""Request ids, security headers, one structured log line per request, and text no route
may receive.

A client's ``X-Request-ID`` is kept when it is sane (1-128 of ``A-Z a-z 0-9 . _ : -``),
otherwise one is made; it comes back on every response, errors included, and in problem
bodies. Each request logs one JSON line on the ``mentormatch.requests`` logger: method,
route template (never the concrete path, so no ids or query values), status, duration,
request id and organization id. Names and emails are never logged. Every response gets
:data:`SECURITY_HEADERS` and a Content-Security-Policy (HSTS over HTTPS).

A NUL character in the path, the query string or a header is refused before any route
runs (422 for path and query, 400 for a header): PostgreSQL text cannot hold it, and no
id, name or key contains one. JSON bodies are checked by :mod:`api.jsonbody`.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time

from flask import Flask, g, request

HEADER = "X-Request-ID"
SANE = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
log = logging.getLogger("mentormatch.requests")


def _start() -> None:
    given = request.headers.get(HEADER, "")
    g.request_id = given if SANE.fullmatch(given) else secrets.token_hex(16)
    g.started = time.perf_counter()
    _no_nul()


def _no_nul() -> None:
    from api.errors import ApiProblem

    where = None
    if "\x00" in request.path:
        where = "path"
    elif "\x00" in request.query_string.decode("latin-1").replace("%00", "\x00"):
        where = "query"
    elif any("\x00" in value for _, value in request.headers.items()):
        where = "header"
    if where is not None:
        raise ApiProblem(
            400 if where == "header" else 422,
            "NUL character",
            f"the {where} contains a NUL character (\\u0000), which no id, name or key has",
            kind="invalid-request",
            errors=[{"source": where, "message": "expected text without NUL characters"}],
        )


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",  # answers carry an organization's HR data
    "Cross-Origin-Resource-Policy": "same-origin",
}
API_CSP = "default-src 'none'; frame-ancestors 'none'"
PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


def _secure(response) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    page = response.mimetype == "text/html"
    response.headers.setdefault("Content-Security-Policy", PAGE_CSP if page else API_CSP)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")


def _finish(response):
    request_id = g.get("request_id") or secrets.token_hex(16)
    response.headers[HEADER] = request_id
    _secure(response)
    started = g.get("started")
    line = {
        "event": "request",
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule else None,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
        "request_id": request_id,
        "org_id": g.get("organization_id"),
    }
    log.info(json.dumps(line))
    return response


def install(app: Flask) -> None:
    """Register the hooks on ``app`` and give the logger a stderr handler if it has none."""
    app.before_request(_start)
    app.after_request(_finish)
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
