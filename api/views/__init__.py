"""One blueprint per resource; this module registers them and holds shared doc snippets."""

from __future__ import annotations

import http
from functools import wraps

import flask_smorest
from flask import request

from api.auth import PROTECTED, require_key
from api.cohort_input import unsupported
from api.jsonbody import Parser

IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": "Retrying with the same key and body replays the first answer.",
    # Printable ASCII without spaces at the ends (HTTP drops those, so the server would
    # see another key); the server also takes printable non-ASCII characters.
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": "^[!-~]([ -~]*[!-~])?$",
    },
}


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint whose arguments read JSON through :mod:`api.jsonbody`."""

    ARGUMENTS_PARSER = Parser()


def problems(blp, *codes: int):
    """Document ``codes`` on a view as problem+json responses (the components of errors.Api)."""

    def decorate(view):
        for code in codes:
            view = blp.alt_response(code, response=http.HTTPStatus(code).name)(view)
        return view

    return decorate


def documented_body(blp, schema):
    """Document ``schema`` as the JSON request body exactly as ``blp.arguments(schema)``
    does, for a view that reads its body itself (``POST /match``)."""

    def decorate(view):
        # flask-smorest keeps an operation's doc in ``_apidoc`` (each of its decorators
        # copies and extends it); the parsing wrapper arguments() builds is dropped.
        view._apidoc = blp.arguments(schema)(view)._apidoc
        return view

    return decorate


def json_only(view):
    """415 before anything else when a JSON route gets another content type."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not request.is_json:
            raise unsupported(("application/json",))
        return view(*args, **kwargs)

    return wrapper


def protected(blp):
    """Require an organization key, with the route's scope (:data:`api.auth.ROUTE_SCOPES`),
    on every route of ``blp``; 401 and 403 are documented by callers."""
    PROTECTED.add(blp.name)
    blp.before_request(require_key)
    blp._prepare_doc_cbks.append(_key_responses)
    return blp


def _key_responses(doc, _info, **_):
    """Every keyed operation may answer 401 (no valid key), 403 (the key lacks the route's
    scope) and 429 (a rate limit of the key or organization, :mod:`api.limits`)."""
    responses = doc.setdefault("responses", {})
    for code in (401, 403, 429):
        if code not in responses and str(code) not in responses:
            responses[code] = http.HTTPStatus(code).name
    return doc


def register_all(api) -> None:
    """Register every blueprint on the flask-smorest ``api``."""
    from api.views import (
        answer_jobs,
        answers,
        cohorts,
        decisions,
        docs,
        health,
        hr,
        keys,
        mappings,
        match,
        mentor_requests,
        people,
        runs,
        scenarios,
        webhooks,
    )

    modules = (cohorts, mappings, people, mentor_requests, runs, answers, answer_jobs)
    modules += (decisions, scenarios, webhooks, hr, match, keys, health, docs)
    for module in modules:
        api.register_blueprint(module.blp)
