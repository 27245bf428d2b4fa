"""Service settings: defaults, then environment variables, then the caller's overrides.

Every setting has an embedded default so `mentormatch serve` works on a fresh machine
(SQLite file in the instance folder, in-process workers). Production sets
``DATABASE_URL`` (PostgreSQL) and ``MENTORMATCH_EXECUTOR=celery`` with ``REDIS_URL``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

# name -> (environment variable, type, default)
SETTINGS: dict[str, tuple[str, type, object]] = {
    "DATABASE_URL": ("DATABASE_URL", str, None),  # None: sqlite file in the instance folder
    "EXECUTOR": ("MENTORMATCH_EXECUTOR", str, "inprocess"),  # inprocess | celery | none
    "BROKER_URL": ("REDIS_URL", str, "redis://127.0.0.1:6379/0"),
    "INPROCESS_WORKERS": ("MENTORMATCH_WORKERS", int, 2),
    "MAX_CONTENT_LENGTH": ("MENTORMATCH_MAX_REQUEST_BYTES", int, 32 * 1024 * 1024),
    "MAX_PARTICIPANTS": ("MENTORMATCH_MAX_PARTICIPANTS", int, 100_000),
    "SYNC_MATCH_LIMIT": ("MENTORMATCH_SYNC_MATCH_LIMIT", int, 2_000),
    # POST /match solves running at once in one process; another waits up to
    # SYNC_WAIT_SECONDS for a place, then gets 503 + Retry-After.
    "MAX_SYNC_SOLVES": ("MENTORMATCH_MAX_SYNC_SOLVES", int, 2),
    "SYNC_WAIT_SECONDS": ("MENTORMATCH_SYNC_WAIT_SECONDS", float, 5.0),
    "MAX_SOLVER_SECONDS": ("MENTORMATCH_MAX_SOLVER_SECONDS", float, 300.0),
    "MAX_ACTIVE_RUNS": ("MENTORMATCH_MAX_ACTIVE_RUNS", int, 4),  # queued+running per org
    "MAX_SCENARIO_VARIANTS": ("MENTORMATCH_MAX_SCENARIO_VARIANTS", int, 20),  # per scenario
    "PAGE_SIZE": ("MENTORMATCH_PAGE_SIZE", int, 100),
    "MAX_PAGE_SIZE": ("MENTORMATCH_MAX_PAGE_SIZE", int, 1_000),
    "HEARTBEAT_SECONDS": ("MENTORMATCH_HEARTBEAT_SECONDS", float, 5.0),
    "STALE_AFTER_SECONDS": ("MENTORMATCH_STALE_AFTER_SECONDS", float, 30.0),
    "MAX_ATTEMPTS": ("MENTORMATCH_MAX_ATTEMPTS", int, 3),
    "RETRY_AFTER_SECONDS": ("MENTORMATCH_RETRY_AFTER_SECONDS", int, 5),
    # How long an Idempotency-Key's answer is replayed; then it is deleted.
    "IDEMPOTENCY_TTL_SECONDS": ("MENTORMATCH_IDEMPOTENCY_TTL_SECONDS", float, 86_400.0),
    # The outbox (api.jobs.outbox): how often a dispatcher looks for unsent run messages,
    # and how long a message waits before it is sent (again) when no hand-off confirmed it.
    "DISPATCH_SECONDS": ("MENTORMATCH_DISPATCH_SECONDS", float, 1.0),
    "DISPATCH_RETRY_SECONDS": ("MENTORMATCH_DISPATCH_RETRY_SECONDS", float, 10.0),
    # Webhooks (api.hooks): the key that encrypts signing secrets at rest (a Fernet key;
    # empty: a key file made in the instance folder, for one machine only), whether
    # receivers may be on private, loopback or link-local addresses (1 for tests and
    # on-premises receivers only), and how deliveries are tried.
    "WEBHOOK_KEY": ("MENTORMATCH_WEBHOOK_KEY", str, None),
    "WEBHOOK_ALLOW_PRIVATE": ("MENTORMATCH_WEBHOOK_ALLOW_PRIVATE", int, 0),
    "WEBHOOK_TIMEOUT_SECONDS": ("MENTORMATCH_WEBHOOK_TIMEOUT_SECONDS", float, 10.0),
    "WEBHOOK_MAX_ATTEMPTS": ("MENTORMATCH_WEBHOOK_MAX_ATTEMPTS", int, 8),
    # The wait after attempt n is WEBHOOK_BACKOFF_SECONDS * 2^(n-1), at most an hour.
    "WEBHOOK_BACKOFF_SECONDS": ("MENTORMATCH_WEBHOOK_BACKOFF_SECONDS", float, 10.0),
    # Request rate limits (api.limits, "N/second|minute|hour", several joined by ";"):
    # per key, per organization (all its keys together) and, for requests without a valid
    # key, per client address. Counted in RATE_LIMIT_STORAGE (a limits storage URI such as
    # redis://host:6379/1); unset: the Redis broker with EXECUTOR=celery, else this
    # process's memory (memory://). RATE_LIMITS=0 turns limiting off.
    "RATE_LIMITS": ("MENTORMATCH_RATE_LIMITS", int, 1),
    "RATE_LIMIT_KEY": ("MENTORMATCH_RATE_LIMIT_KEY", str, "600/minute"),
    "RATE_LIMIT_ORG": ("MENTORMATCH_RATE_LIMIT_ORG", str, "1200/minute"),
    "RATE_LIMIT_ANONYMOUS": ("MENTORMATCH_RATE_LIMIT_ANONYMOUS", str, "60/minute"),
    "RATE_LIMIT_STORAGE": ("MENTORMATCH_RATE_LIMIT_STORAGE", str, None),
    # Celery queue the API sends runs to and `mentormatch worker` consumes.
    "QUEUE": ("MENTORMATCH_QUEUE", str, "mentormatch"),
    # The coordinator's web app (api.web). SECRET_KEY signs session cookies: None keeps a
    # random one in the instance folder (file secret_key, 0600), shared by every process.
    "SECRET_KEY": ("MENTORMATCH_SECRET_KEY", str, None),
    # Session cookies are Secure on HTTPS requests; 1 makes them Secure always.
    "SECURE_COOKIES": ("MENTORMATCH_SECURE_COOKIES", int, 0),
    "SESSION_HOURS": ("MENTORMATCH_SESSION_HOURS", float, 12.0),
    "LOGIN_MAX_FAILURES": ("MENTORMATCH_LOGIN_MAX_FAILURES", int, 5),  # per email / address
    "LOGIN_WINDOW_SECONDS": ("MENTORMATCH_LOGIN_WINDOW_SECONDS", float, 900.0),
    "INVITE_HOURS": ("MENTORMATCH_INVITE_HOURS", float, 72.0),  # one-time links live this long
    # Cohorts prepared for suggestions and mentor requests, kept in each process
    # (api.prepared_cache): at most this many, and this many mentee x mentor cells in all.
    "PREPARED_CACHE_ENTRIES": ("MENTORMATCH_PREPARED_CACHE_ENTRIES", int, 8),
    "PREPARED_CACHE_CELLS": ("MENTORMATCH_PREPARED_CACHE_CELLS", int, 10_000_000),
    # A mentor request stays open this long unless its cohort's settings say otherwise.
    "REQUEST_EXPIRY_HOURS": ("MENTORMATCH_REQUEST_EXPIRY_HOURS", float, 168.0),
    "UPLOAD_TTL_SECONDS": ("MENTORMATCH_UPLOAD_TTL_SECONDS", float, 86_400.0),
    # Retention (api.retention; `mentormatch purge`): cohorts whose last change (created,
    # a run, scenario, decision or publication) is older than RETENTION_DAYS go with
    # everything of theirs (0: kept until deleted); finished webhook deliveries, sent
    # outbox messages, spent sign-in records and one-time links after RECORD_RETENTION_DAYS;
    # audit entries after AUDIT_RETENTION_DAYS (0: kept). The in-process executor and
    # Celery beat purge every PURGE_SECONDS (0: only `mentormatch purge`, e.g. from cron).
    "RETENTION_DAYS": ("MENTORMATCH_RETENTION_DAYS", float, 0.0),
    "RECORD_RETENTION_DAYS": ("MENTORMATCH_RECORD_RETENTION_DAYS", float, 30.0),
    "AUDIT_RETENTION_DAYS": ("MENTORMATCH_AUDIT_RETENTION_DAYS", float, 400.0),
    "PURGE_SECONDS": ("MENTORMATCH_PURGE_SECONDS", float, 3600.0),
    # Where people open the app: the start of the one-time links `users invite` prints.
    "BASE_URL": ("MENTORMATCH_BASE_URL", str, "http://127.0.0.1:8000"),
    # Testing aid, keep 0 in production: each run waits this long (heartbeating, cancellable)
    # before it solves, so tests can cancel or kill a worker while a run is running.
    "TEST_RUN_DELAY_SECONDS": ("MENTORMATCH_TEST_RUN_DELAY_SECONDS", float, 0.0),
}


def default_instance_path() -> str:
    """``MENTORMATCH_INSTANCE_PATH``, else Flask's instance folder for the ``api`` package."""
    if path := os.environ.get("MENTORMATCH_INSTANCE_PATH"):
        return path
    from flask import Flask

    return Flask("api").instance_path


def sqlite_url(instance_path: str | Path) -> str:
    """The embedded default database: ``mentormatch.db`` in the instance folder.

    The folder is created 0700 when it does not exist (the file is made 0600 by
    :func:`api.db.make_engine`): the database holds an organization's HR data.
    """
    folder = Path(instance_path)
    if not folder.exists():
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder.chmod(0o700)  # mkdir's mode is masked by the umask
    return f"sqlite:///{(folder / 'mentormatch.db').resolve()}"


def load_settings(
    instance_path: str | Path,
    overrides: Mapping[str, object] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, object]:
    """Settings as a dict: defaults, then ``environ`` (default ``os.environ``), then overrides.

    Raises
    ------
    ValueError
        If an environment variable does not parse as its setting's type, or an override
        names an unknown setting (both name the variable and the value).
    """
    env = os.environ if environ is None else environ
    out: dict[str, object] = {}
    for name, (variable, kind, default) in SETTINGS.items():
        raw = env.get(variable)
        if raw is None or raw == "":
            out[name] = default
            continue
        try:
            out[name] = kind(raw)
        except ValueError:
            raise ValueError(
                f"environment variable {variable}={raw!r} is not a valid {kind.__name__}"
            ) from None
    for name, value in (overrides or {}).items():
        if name not in SETTINGS and not name.isupper():
            raise ValueError(f"unknown setting {name!r}")
        out[name] = value
    if not out["DATABASE_URL"]:
        out["DATABASE_URL"] = sqlite_url(instance_path)
    out.setdefault("INSTANCE_PATH", str(instance_path))
    return out
