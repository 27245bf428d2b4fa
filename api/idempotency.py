"""``Idempotency-Key`` for POSTs: a retried request gets the first answer, not a second job.

The first request with a key claims it (a row with no answer yet) in its own committed
transaction, so a concurrent twin sees the claim. Then:

* same key, same method, path, query parameters, media type and body (a multipart form's
  parts, whatever its boundary), answered: the stored answer is replayed (status, body,
  ``Location``) with ``Idempotent-Replayed: true``;
* same key, another request (any of those differs): 422;
* same key while the first is still being handled: 409 (retry later).

Only successful (2xx) answers are kept: after an error the claim is dropped, so the
client may fix the request and retry with the same key. A claim left behind by a crashed
process is taken over after :data:`IN_PROGRESS_TIMEOUT`; answers are replayed for the
``IDEMPOTENCY_TTL_SECONDS`` setting and then deleted (every keyed request purges the
expired ones). Keys are per organization. An answer belongs to the cohort it is about
and is deleted with it, so nothing of a deleted cohort can be replayed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from functools import wraps

from flask import current_app, g, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from api.db import transaction
from api.errors import ApiProblem, log_error
from api.services import services
from api.tables import Cohort, IdempotencyRecord, utcnow

HEADER = "Idempotency-Key"
IN_PROGRESS_TIMEOUT = timedelta(seconds=60)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _fingerprint() -> str:
    """SHA-256 of what makes two requests the same: method, path, query parameters (in any
    order), media type and charset, and body bytes (of a multipart form: its parts)."""
    query = sorted(request.args.items(multi=True))
    media = (request.mimetype, request.mimetype_params.get("charset", "").lower())
    head = json.dumps([request.method, request.path, query, media], ensure_ascii=False)
    digest = hashlib.sha256(head.encode() + b"\n")
    if request.mimetype == "multipart/form-data":
        digest.update(_parts().encode())
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _text(value) -> str:
    """A part's name as text: Werkzeug gives None for a name it cannot read."""
    return "" if value is None else str(value)


def _parts() -> str:
    """A multipart form's fields and files (name, file name, type, SHA-256 of the bytes),
    without the boundary, which clients choose anew for every retry."""
    fields = sorted((_text(name), _text(value)) for name, value in request.form.items(multi=True))
    files = []
    for name, upload in sorted(request.files.items(multi=True), key=lambda item: _text(item[0])):
        content = hashlib.sha256()
        for chunk in iter(lambda upload=upload: upload.stream.read(1 << 16), b""):
            content.update(chunk)
        upload.stream.seek(0)
        files.append([_text(name), upload.filename, upload.mimetype, content.hexdigest()])
    return json.dumps([fields, files], ensure_ascii=False)


def _replay(record: IdempotencyRecord):
    response = current_app.response_class(
        json.dumps(record.body), status=record.status_code, mimetype="application/json"
    )
    if record.location:
        response.headers["Location"] = record.location
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _claim(key: str, fingerprint: str):
    """(record id, None) when this request owns the key now, or (None, replayed response)."""
    now = utcnow()
    retention = timedelta(seconds=float(services().settings["IDEMPOTENCY_TTL_SECONDS"]))
    with transaction(services().sessions) as session:
        session.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - retention)
        )
        record = session.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.organization_id == g.organization_id,
                IdempotencyRecord.key == key,
            )
        )
        if record is not None:
            age = now - _aware(record.created_at)
            answered = record.status_code is not None
            if age > (retention if answered else IN_PROGRESS_TIMEOUT):
                session.delete(record)
                session.flush()
                record = None
        if record is None:
            record = IdempotencyRecord(
                organization_id=g.organization_id, key=key, request_hash=fingerprint
            )
            session.add(record)
            session.flush()
            return record.id, None
        if record.request_hash != fingerprint:
            raise ApiProblem(
                422,
                "idempotency key reused",
                "this Idempotency-Key was first used with another request; "
                "use a new key for a new request",
                kind="idempotency-key-reused",
            )
        if record.status_code is None:
            raise ApiProblem(
                409,
                "request in progress",
                "the first request with this Idempotency-Key is still being handled; "
                "retry in a moment",
                kind="idempotency-in-progress",
                headers={"Retry-After": "1"},
            )
        return None, _replay(record)


def _cohort_of(body) -> str | None:
    """The cohort an answer is about: a run's or scenario's ``cohort_id``, a cohort's id."""
    if not isinstance(body, dict):
        return None
    found = body.get("cohort_id") or body.get("id")
    return found if isinstance(found, str) and found.startswith("coh_") else None


def _settle(record_id: int, response=None) -> None:
    """Keep ``response`` as the key's answer (tied to its cohort), or drop the claim."""
    with transaction(services().sessions) as session:
        body = response.get_json(silent=True) if response is not None else None
        cohort_id = _cohort_of(body)
        gone = cohort_id is not None and session.get(Cohort, cohort_id) is None
        if response is None or gone:  # an error, or its cohort was deleted meanwhile
            session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
            return
        record = session.get(IdempotencyRecord, record_id)
        if record is not None:
            record.status_code = response.status_code
            record.body = body
            record.location = response.headers.get("Location")
            record.cohort_id = cohort_id


def idempotent(view):
    """Decorate a POST view (below ``route``, above the argument/response decorators)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not 1 <= len(key) <= 255 or not key.isprintable():
            raise ApiProblem(
                400,
                "bad Idempotency-Key",
                "an Idempotency-Key is 1 to 255 printable characters",
                kind="invalid-request",
            )
        fingerprint = _fingerprint()
        try:
            record_id, replay = _claim(key, fingerprint)
        except IntegrityError:  # a twin claimed it between our read and our insert
            record_id, replay = _claim(key, fingerprint)
        if replay is not None:
            return replay
        try:
            response = current_app.make_response(view(*args, **kwargs))
        except BaseException:
            _settle(record_id)
            raise
        if not 200 <= response.status_code < 300:
            _settle(record_id)
            return response
        try:
            _settle(record_id, response)
        except Exception as error:  # the work is committed: answer it, do not invite a retry
            log_error(error, response.status_code)
        return response

    return wrapper
