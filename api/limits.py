"""Request rate limits on every keyed route: per key, per organization, per address.

Flask-Limiter counts, in fixed windows, three shared (all routes together) limits:

* ``RATE_LIMIT_KEY`` per API key (its prefix),
* ``RATE_LIMIT_ORG`` per organization (all its keys together),
* ``RATE_LIMIT_ANONYMOUS`` per client address, for requests to keyed routes that came
  without a valid key (they get their 401 after being counted).

Open routes (health, the spec and docs page, the web app's pages) are not limited here.
Counters live in ``RATE_LIMIT_STORAGE``; unset, in Redis (the Celery broker) when
``EXECUTOR`` is celery, so every API process shares them, else in this process's memory
(``memory://``: :class:`api.limit_counters.Counters`, which starts no thread per request).
When Redis cannot be reached the limiter falls back to per-key counting in memory
(and goes back to Redis when it answers again): an outage of the counters never turns
into errors for clients.

A refused request gets 429 problem+json naming the limit, with ``Retry-After``; every
counted response carries ``RateLimit-Limit``, ``RateLimit-Remaining``, ``RateLimit-Reset``
(seconds) and ``RateLimit-Policy`` of the limit closest to refusing
(draft-ietf-httpapi-ratelimit-headers).
"""

from __future__ import annotations

import logging
import time

from flask import Flask, g, request
from flask_limiter import ApplicationLimit, Limiter, RateLimitExceeded

from api import limit_counters
from api.auth import PROTECTED
from api.errors import problem_body, problem_response

log = logging.getLogger("mentormatch.requests")
KEY_PREFIX = "mentormatch:ratelimit"
STORAGE_TIMEOUT_SECONDS = 0.5  # a Redis that does not answer is treated as down quickly


def _by_key() -> str:
    return f"key:{g.key_prefix}" if "key_prefix" in g else f"addr:{request.remote_addr}"


def _by_organization() -> str:
    return f"org:{g.organization_id}"


def _by_address() -> str:
    return f"addr:{request.remote_addr}"


def _anonymous() -> bool:
    return "organization_id" not in g


def _keyed() -> bool:
    return "organization_id" in g


WHAT = {_by_key: "this key", _by_organization: "your organization", _by_address: "this address"}


def storage_uri(settings) -> str:
    """Where counters live: ``RATE_LIMIT_STORAGE``, else Redis with Celery, else memory."""
    if settings.get("RATE_LIMIT_STORAGE"):
        return str(settings["RATE_LIMIT_STORAGE"])
    if settings["EXECUTOR"] == "celery":
        return str(settings["BROKER_URL"])
    return "memory://"


def make_limiter(app: Flask, settings) -> Limiter:
    """A limiter with the three limits of the module doc, registered on ``app``.

    Call after :func:`api.auth.install`: its hook must identify the key first.
    """
    uri = storage_uri(settings)
    if uri == "memory://":
        uri = f"{limit_counters.SCHEME}://"
    options = {}
    if uri.startswith(("redis://", "rediss://")):
        options = {
            "socket_connect_timeout": STORAGE_TIMEOUT_SECONDS,
            "socket_timeout": STORAGE_TIMEOUT_SECONDS,
        }
    limits = [
        ApplicationLimit(
            str(settings["RATE_LIMIT_KEY"]), key_function=_by_key, exempt_when=_anonymous
        ),
        ApplicationLimit(
            str(settings["RATE_LIMIT_ORG"]), key_function=_by_organization, exempt_when=_anonymous
        ),
        ApplicationLimit(
            str(settings["RATE_LIMIT_ANONYMOUS"]), key_function=_by_address, exempt_when=_keyed
        ),
    ]
    limiter = Limiter(
        _by_key,
        application_limits=limits,
        storage_uri=uri,
        storage_options=options,
        strategy="fixed-window",
        key_prefix=KEY_PREFIX,
        headers_enabled=False,  # ours follow the IETF draft (after_request below)
        in_memory_fallback=[str(settings["RATE_LIMIT_KEY"])],
        swallow_errors=True,
        enabled=bool(int(settings["RATE_LIMITS"])),
    )
    limiter.request_filter(lambda: request.blueprint not in PROTECTED)
    limiter.init_app(app)
    app.after_request(lambda response: _headers(limiter, response))
    app.register_error_handler(RateLimitExceeded, lambda error: _too_many(limiter, error))
    return limiter


def _closest(limiter: Limiter):
    """The counted limit with the fewest requests left (the breached one, if any)."""
    counted = limiter.current_limits
    breached = [limit for limit in counted if limit.breached]
    if breached:
        return breached[0]
    return min(counted, key=lambda limit: limit.remaining, default=None)


def _window_seconds(item) -> int:
    return int(item.get_expiry())


def _headers(limiter: Limiter, response):
    try:
        limit = _closest(limiter)
        if limit is None:
            return response
        reset = max(0, int(limit.reset_at - time.time()))
        response.headers["RateLimit-Limit"] = str(limit.limit.amount)
        response.headers["RateLimit-Remaining"] = str(max(0, limit.remaining))
        response.headers["RateLimit-Reset"] = str(reset)
        response.headers["RateLimit-Policy"] = (
            f"{limit.limit.amount};w={_window_seconds(limit.limit)}"
        )
    except Exception as error:  # the counters' store went away mid-request: no headers
        log.warning('{"event": "ratelimit_headers_skipped", "error": "%s"}', type(error).__name__)
    return response


def _too_many(limiter: Limiter, error: RateLimitExceeded):
    """429 problem+json naming the limit reached, with ``Retry-After``."""
    limit = error.limit
    who = WHAT.get(limit.key_func, "this client")
    window = _window_seconds(limit.limit)
    breached = _closest(limiter)
    retry = window
    if breached is not None:
        retry = max(1, int(breached.reset_at - time.time()))
    body = problem_body(
        429,
        "too many requests",
        f"{who} may make {limit.limit.amount} requests per {window} s and reached that; "
        f"retry after {retry} s (Retry-After)",
        "rate-limited",
        limit=f"{limit.limit.amount} per {window} s",
    )
    return problem_response(body, {"Retry-After": retry})
