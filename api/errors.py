"""Every error as ``application/problem+json`` (RFC 9457), never a traceback.

:class:`ApiProblem` is what views raise; :class:`Api` (flask-smorest's, with its error
handler replaced) turns it, werkzeug's HTTP errors and webargs' validation errors into
problem documents; :func:`register` adds the core's :class:`~matcher.model.InputError`
(422 with every row/column problem), a database outage (503 with ``Retry-After``: the
request may be sent again) and every other exception (a 500 whose detail is the request id
to quote). Those two are logged as one JSON line each on ``mentormatch.requests``: the
exception's class and its stack frames in a ``traceback`` field, never its message, which
can carry SQL parameters and so people's data.
"""

from __future__ import annotations

import http
import json
import logging
import traceback
from collections.abc import Iterator, Mapping

import flask_smorest
from flask import current_app, g, request
from flask_smorest.utils import prepare_response
from sqlalchemy import exc as db_errors
from werkzeug.exceptions import HTTPException

from api.schemas import ProblemSchema
from matcher.model import InputError, Problem

PROBLEM_JSON = "application/problem+json"
DOCS = "/api/v1/docs"
MAX_LISTED = 200  # problems listed in one response; ``total_errors`` counts them all
# Errors that mean "the database cannot be reached right now", not "this request is wrong".
OUTAGES = (db_errors.OperationalError, db_errors.InterfaceError, db_errors.TimeoutError)
log = logging.getLogger("mentormatch.requests")


class ApiProblem(HTTPException):
    """An HTTP error with an RFC 9457 body.

    Parameters
    ----------
    status : HTTP status code.
    title : short, the same for every occurrence of this kind of problem.
    detail : this occurrence, in words a person can act on.
    kind : the slug of the problem type (``/api/v1/docs#problem-<kind>``).
    headers : extra response headers (``Retry-After``, ``WWW-Authenticate``).
    members : extension members added to the body (``run_status``, ``limit``...).
    """

    def __init__(self, status, title, detail=None, *, kind=None, headers=None, **members):
        super().__init__(description=detail)
        self.code = status
        self.title = title
        self.kind = kind
        self.extra_headers = dict(headers or {})
        self.members = members


def problem_items(problems: tuple[Problem, ...]) -> list[dict]:
    """The core's problems as the ``errors`` member (None fields left out)."""
    keys = ("source", "line", "row", "column", "value", "message")
    return [
        {k: getattr(p, k) for k in keys if getattr(p, k) is not None} for p in problems[:MAX_LISTED]
    ]


def problem_body(status: int, title: str, detail=None, kind=None, **members) -> dict:
    """An RFC 9457 document; ``type`` points at the problem's entry on the docs page."""
    body = {"type": f"{DOCS}#problem-{kind}" if kind else "about:blank", "title": title}
    body["status"] = status
    if detail:
        body["detail"] = detail
    body["instance"] = request.path
    if "request_id" in g:
        body["request_id"] = g.request_id
    body.update({k: v for k, v in members.items() if v is not None})
    return body


def problem_response(body: Mapping, headers: Mapping | None = None):
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=body["status"], mimetype=PROBLEM_JSON
    )
    for name, value in (headers or {}).items():
        response.headers[name] = str(value)
    return response


def _flatten(messages, path=()) -> Iterator[tuple[tuple, str]]:
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            yield from _flatten(value, path if key == "_schema" else (*path, key))
    elif isinstance(messages, list | tuple) and all(isinstance(m, str) for m in messages):
        for message in messages:
            yield path, message
    else:
        yield path, str(messages)


def _lookup(data, path):
    for key in path:
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _shown(value) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text[:80]


def _request_json():
    from api.jsonbody import request_json

    try:
        return request_json()
    except Exception:  # broken or outside the limits: nothing to quote values from
        return None


def validation_items(messages: Mapping) -> list[dict]:
    """webargs/marshmallow messages ``{location: {field: [msg]}}`` as problem items."""
    items = []
    for location, nested in messages.items():
        if location == "json":
            data = _request_json()
        else:
            data = request.args if location == "query" else {}
        for path, message in _flatten(nested):
            item = {"source": "body" if location == "json" else location}
            at = next((k for k, key in enumerate(path) if isinstance(key, int)), None)
            if at and location == "json":  # a record of a list: the list, record, column
                item.update(source=str(path[at - 1]), row=path[at])
                column = path[at + 1 :]
            else:
                column = path
            if column:
                item["column"] = ".".join(str(k) for k in column)
            value = _lookup(data, path) if path and location in ("json", "query") else None
            if (shown := _shown(value)) is not None:
                item["value"] = shown
            item["message"] = message
            items.append(item)
    return items


class Api(flask_smorest.Api):
    """flask-smorest's Api whose error handler and documented errors speak problem+json."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = "DEFAULT_ERROR"

    def _register_responses(self):
        """One problem+json response component per status code, and the default one."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error (RFC 9457 problem)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def handle_http_exception(self, error):
        if isinstance(error, ApiProblem):
            body = problem_body(error.code, error.title, error.description, error.kind)
            body.update({k: v for k, v in error.members.items() if v is not None})
            return problem_response(body, error.extra_headers)
        code = error.code or 500
        data = getattr(error, "data", None) or {}
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        headers.update(data.get("headers") or {})
        if code >= 500:
            detail = "an unexpected error; quote the request id when you report it"
            return problem_response(problem_body(code, error.name, detail), headers)
        if "messages" in data:
            items = validation_items(data["messages"])
            is_json = "json" in data["messages"] and code == 400
            title = "the request body is not valid JSON" if is_json else "invalid request"
            detail = f"{len(items)} problem(s) with the request; see errors"
            body = problem_body(code, title, detail, "invalid-request", errors=items)
            return problem_response(body, headers)
        return problem_response(problem_body(code, error.name, error.description), headers)


def input_rejected(error: InputError):
    """422 listing the problems the core found (row, column, value, what was expected):
    the first :data:`MAX_LISTED`, with ``total_errors`` counting them all, or, when
    checking stopped early (a sheet with hundreds), the line where it stopped."""
    count = len(error.problems)
    more = f" (the first {MAX_LISTED} are listed)" if count > MAX_LISTED else ""
    detail = f"{count} problem(s){more}; nothing was stored. Fix them and send again."
    members = {"total_errors": count}
    if (stopped := getattr(error, "stopped_at", None)) is not None:
        detail = (
            f"the first {count} problems; checking stopped at {stopped}, so there may be "
            "more. Nothing was stored. Fix them and send again."
        )
        members = {"stopped_at": stopped}
    body = problem_body(
        422,
        error.title,
        detail,
        "input-rejected",
        errors=problem_items(error.problems),
        **members,
    )
    return problem_response(body)


def log_error(error: BaseException, status: int) -> None:
    """One JSON line: where the request was, the exception's class and stack frames."""
    frames = [
        f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(error.__traceback__)
    ]
    cause = getattr(error, "orig", None) or error.__cause__
    line = {
        "event": "error",
        "status": status,
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule else None,
        "request_id": g.get("request_id"),
        "error": type(error).__name__,
        "cause": type(cause).__name__ if cause is not None else None,
        "traceback": frames,
    }
    log.error(json.dumps(line))


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` says the database is unreachable (or busy), not that the request
    or our code is wrong."""
    if isinstance(error, OUTAGES):
        return True
    return isinstance(error, db_errors.DBAPIError) and bool(error.connection_invalidated)


def unexpected(error: Exception):
    """503 + ``Retry-After`` for a database outage, else 500; logged on one line."""
    if isinstance(error, HTTPException):  # raised where Flask's own handling does not reach
        return current_app.handle_http_exception(error)
    if is_outage(error):
        log_error(error, 503)
        retry = current_app.extensions["mentormatch"].settings["RETRY_AFTER_SECONDS"]
        body = problem_body(
            503,
            "service unavailable",
            "the database cannot be reached at the moment; retry after Retry-After seconds "
            "(with the same Idempotency-Key, if you sent one)",
            "unavailable",
        )
        return problem_response(body, {"Retry-After": retry})
    log_error(error, 500)
    detail = "an unexpected error; quote the request id when you report it"
    return problem_response(problem_body(500, "Internal Server Error", detail))


def register(app) -> None:
    """Handlers for errors that are not HTTP exceptions."""
    app.register_error_handler(InputError, input_rejected)
    app.register_error_handler(Exception, unexpected)
