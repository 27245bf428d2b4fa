"""Request ids and the one structured log line per request.

A client's ``X-Request-ID`` is kept when it is sane (1-128 of ``A-Z a-z 0-9 . _ : -``),
otherwise one is made; it comes back on every response, errors included, and in problem
bodies. Each request logs one JSON line on the ``mentormatch.requests`` logger: method,
route template (never the concrete path, so no ids or query values), status, duration,
request id and organization id. Names and emails are never logged.
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


def _finish(response):
    request_id = g.get("request_id") or secrets.token_hex(16)
    response.headers[HEADER] = request_id
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
