"""Sending deliveries: sign, POST, record the attempt, back off, and the dispatcher thread.

Each attempt POSTs the delivery's stored JSON with these headers::

    Content-Type: application/json
    X-Mentormatch-Event: run.succeeded
    X-Mentormatch-Delivery: dlv_...            (the same on every attempt of a delivery)
    X-Mentormatch-Timestamp: 1765359000        (Unix seconds of this attempt)
    X-Mentormatch-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>

A receiver recomputes the HMAC over the raw body bytes with the secret it was shown once,
compares in constant time, and refuses a timestamp more than a few minutes old (a
replayed request). A 2xx answer delivers; anything else (another status, a redirect,
which is never followed, a timeout, a refused connection) is retried after
``WEBHOOK_BACKOFF_SECONDS * 2^(attempt-1)`` seconds, at most an hour, until
``WEBHOOK_MAX_ATTEMPTS``; a receiver on an address it may not reach
(:mod:`api.hooks.address`) fails at once. Dispatchers on several processes may run at
once: each takes a delivery by moving its ``available_at`` a lease ahead in one
conditional UPDATE, so two never send it in the same lease.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.db import transaction
from api.hooks.address import Refused, resolve
from api.hooks.secrets import InvalidToken, cipher
from api.tables import utcnow
from api.tables_hr import DeliveryStatus, Webhook, WebhookDelivery

log = logging.getLogger("mentormatch.jobs")
BATCH = 20
MAX_BACKOFF_SECONDS = 3600.0
READ_LIMIT = 64 * 1024  # bytes of a receiver's answer read (and discarded)
USER_AGENT = "mentormatch-webhooks/1"
PENDING, DELIVERED, FAILED = (s.value for s in DeliveryStatus)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 keyed by the secret over ``timestamp.body``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def body_bytes(payload: Mapping) -> bytes:
    """The exact bytes sent (and signed) for a stored payload."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def backoff(attempts: int, base: float) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt."""
    return min(MAX_BACKOFF_SECONDS, base * 2 ** max(0, attempts - 1))


class _Pinned(http.client.HTTPConnection):
    """HTTP to a checked address, with the URL's host in the Host header."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    """HTTPS to a checked address; the certificate is verified against the URL's host."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: Mapping, *, timeout: float, allow_private: bool) -> int:
    """POST ``body`` to ``url`` at a checked address; the response status (redirects are
    answers, never followed).

    Raises
    ------
    Refused
        The host may not be reached (private address, does not resolve).
    OSError, http.client.HTTPException
        The connection failed or the answer was not HTTP.
    """
    parts = urlsplit(url)
    tls = parts.scheme == "https"
    port = parts.port or (443 if tls else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    error: Exception | None = None
    for address in resolve(parts.hostname, port, allow_private):
        kind = _PinnedTLS if tls else _Pinned
        connection = kind(parts.hostname, port, address, timeout)
        try:
            connection.request("POST", target, body=body, headers=dict(headers))
            response = connection.getresponse()
            response.read(READ_LIMIT)
            return response.status
        except (OSError, http.client.HTTPException) as failure:
            error = failure
        finally:
            connection.close()
    raise error if error is not None else Refused(f"{parts.hostname} has no address")


def _take(sessions: sessionmaker[Session], lease: float, only: list[str] | None) -> list[str]:
    now = utcnow()
    due = and_(WebhookDelivery.status == PENDING, WebhookDelivery.available_at <= now)
    if only is not None:
        due = and_(due, WebhookDelivery.id.in_(only))
    with transaction(sessions) as session:
        first = (
            select(WebhookDelivery.id)
            .where(due)
            .order_by(WebhookDelivery.available_at, WebhookDelivery.id)
            .limit(BATCH)
        )
        return list(
            session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_(first.scalar_subquery()), due)
                .values(available_at=now + timedelta(seconds=lease))
                .returning(WebhookDelivery.id)
                .execution_options(synchronize_session=False)
            ).scalars()
        )


def _record(sessions, delivery_id: str, settings: Mapping, *, status=None, error=None, final=False):
    now = utcnow()
    with transaction(sessions) as session:
        row = session.get(WebhookDelivery, delivery_id)
        if row is None or row.status != PENDING:  # deleted with its webhook meanwhile
            return
        row.attempts += 1
        row.last_attempt_at, row.response_status = now, status
        row.error = error[:500] if error else None
        if status is not None and 200 <= status < 300:
            row.status, row.delivered_at = DELIVERED, now
        elif final or row.attempts >= int(settings["WEBHOOK_MAX_ATTEMPTS"]):
            row.status = FAILED
        else:
            wait = backoff(row.attempts, float(settings["WEBHOOK_BACKOFF_SECONDS"]))
            row.available_at = now + timedelta(seconds=wait)


def attempt(sessions: sessionmaker[Session], delivery_id: str, settings: Mapping) -> None:
    """One attempt of a taken delivery, recorded on its row (never raises for the
    receiver's failures)."""
    with sessions() as session:
        found = session.execute(
            select(Webhook.url, Webhook.secret, WebhookDelivery.event, WebhookDelivery.payload)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(WebhookDelivery.id == delivery_id)
        ).first()
    if found is None:
        return
    try:
        secret = cipher(settings).decrypt(found.secret.encode()).decode()
    except InvalidToken:
        message = "the signing secret cannot be decrypted here: MENTORMATCH_WEBHOOK_KEY differs"
        log.error("webhook delivery %s: %s", delivery_id, message)
        _record(sessions, delivery_id, settings, error=message)
        return
    body = body_bytes(found.payload)
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Mentormatch-Event": found.event,
        "X-Mentormatch-Delivery": delivery_id,
        "X-Mentormatch-Timestamp": stamp,
        "X-Mentormatch-Signature": signature(secret, stamp, body),
    }
    allow = bool(int(settings["WEBHOOK_ALLOW_PRIVATE"]))
    timeout = float(settings["WEBHOOK_TIMEOUT_SECONDS"])
    try:
        status = post(found.url, body, headers, timeout=timeout, allow_private=allow)
    except Refused as refused:
        _record(sessions, delivery_id, settings, error=f"refused: {refused}", final=True)
        return
    except (OSError, http.client.HTTPException) as error:
        _record(sessions, delivery_id, settings, error=f"{type(error).__name__}: {error}")
        return
    error = None
    if 300 <= status < 400:
        error = f"HTTP {status}: redirects are not followed; register the final URL"
    elif not 200 <= status < 300:
        error = f"HTTP {status}"
    _record(sessions, delivery_id, settings, status=status, error=error)


def dispatch(sessions: sessionmaker[Session], settings: Mapping, only=None) -> int:
    """One pass: take due deliveries (of ``only``, when given) and attempt each.

    Returns
    -------
    int
        How many attempts were made.
    """
    lease = 2 * float(settings["WEBHOOK_TIMEOUT_SECONDS"]) + 30
    taken = _take(sessions, lease, list(only) if only is not None else None)
    for delivery_id in taken:
        attempt(sessions, delivery_id, settings)
    return len(taken)


class WebhookDispatcher:
    """A daemon thread running :func:`dispatch` every ``interval`` seconds until stopped."""

    def __init__(self, sessions, settings: Mapping, *, interval: float):
        self.sessions, self.settings, self.interval = sessions, dict(settings), interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="mm-webhooks", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                while dispatch(self.sessions, self.settings) == BATCH:
                    if self._stop.is_set():
                        return
            except Exception as error:  # the database is down: try again next pass
                log.warning("webhook dispatcher pass failed: %s", type(error).__name__)

    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self, wait: bool = True) -> None:
        self._stop.set()
        if wait and self._thread is not threading.current_thread():
            self._thread.join(self.settings.get("WEBHOOK_TIMEOUT_SECONDS", 10) + 5)
