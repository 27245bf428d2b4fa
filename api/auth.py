"""Bearer keys and their scopes: who a request speaks for, and whether it may.

Two steps, so that rate limits (:mod:`api.limits`) can count a request by its key and
organization before any route runs:

* :func:`identify`, an app-wide ``before_request`` hook registered before the limiter,
  reads ``Authorization: Bearer mm_...`` on routes of protected blueprints and sets
  ``g.organization_id``, ``g.key_prefix`` and ``g.key_scopes``, or remembers why it could
  not (it raises nothing itself);
* :func:`require_key`, the ``before_request`` hook of every protected blueprint, turns
  that into 401 (missing, unknown, revoked or expired key, with ``WWW-Authenticate:
  Bearer`` as RFC 6750 asks) or 403 (the route's scope is not among the key's).

Every route's scope is declared in one place, :data:`ROUTE_SCOPES` (endpoint -> scope):
``read`` to look, ``write`` to store or solve, ``admin`` for keys and webhooks. A route
missing from the table needs ``read`` for GET and ``write`` otherwise. ``admin`` includes
the other two. Views needing more than their table entry call :func:`require_scope`.
"""

from __future__ import annotations

from flask import Flask, g, request

from api.errors import ApiProblem
from api.keys import read_key, touch_key
from api.services import services

REALM = 'Bearer realm="mentormatch"'
PROTECTED: set[str] = set()  # names of blueprints whose routes need a key
READ, WRITE, ADMIN = "read", "write", "admin"

ROUTE_SCOPES: dict[str, str] = {
    # cohorts and their people
    "cohorts.create_cohort": WRITE,
    "cohorts.list_cohorts": READ,
    "cohorts.get_cohort": READ,
    "cohorts.list_participants": READ,
    "cohorts.delete_cohort": WRITE,
    "people.sync_people": WRITE,
    "people.put_person": WRITE,
    "people.get_suggestions": READ,
    # sheet mapping templates (suggest stores nothing)
    "mappings.create_template": WRITE,
    "mappings.list_templates": READ,
    "mappings.suggest_mapping": READ,
    "mappings.get_template": READ,
    "mappings.replace_template": WRITE,
    "mappings.delete_template": WRITE,
    # runs, results and the answers about them (verify stores nothing)
    "runs.start": WRITE,
    "runs.list_runs": READ,
    "runs.rematch": WRITE,
    "runs.get_run": READ,
    "runs.cancel_run": WRITE,
    "runs.list_assignments": READ,
    "runs.get_assignment": READ,
    "runs.list_unmatched": READ,
    "answers.get_why_not": READ,
    "answers.get_audit": READ,
    "answers.get_receipt": READ,
    "answers.post_verify": READ,
    "match.match": WRITE,  # stores nothing, but spends solver time
    # review and publication
    "decisions.get_draft": READ,
    "decisions.decide": WRITE,
    "decisions.list_decisions": READ,
    "decisions.undo_decision": WRITE,
    "decisions.resolve": WRITE,
    "decisions.publish": WRITE,
    "decisions.list_versions": READ,
    "scenarios.start_scenario": WRITE,
    "scenarios.get_scenario": READ,
    "scenarios.cancel_scenario": WRITE,
    "scenarios.promote_variant": WRITE,
    # answers that take seconds: jobs (asking spends solver time)
    "answer_jobs.post_prices": WRITE,
    "answer_jobs.post_alternatives": WRITE,
    "answer_jobs.post_attrition": WRITE,
    "answer_jobs.get_answer_job": READ,
    # mentees' requests for mentors, and the cohort's cycle settings
    "requests.create_request": WRITE,
    "requests.list_requests": READ,
    "requests.get_request": READ,
    "requests.accept_request": WRITE,
    "requests.decline_request": WRITE,
    "requests.get_settings": READ,
    "requests.put_settings": WRITE,
    # personal data across the organization: the audit log, erasure, a person's export
    "hr.list_audit": ADMIN,
    "hr.erase": ADMIN,
    "hr.export": ADMIN,
    "hr.delete_organization": ADMIN,  # everything of the organization, its keys too
    # webhooks send the organization's data elsewhere; keys open everything
    "webhooks.create_webhook": ADMIN,
    "webhooks.list_webhooks": ADMIN,
    "webhooks.get_webhook": ADMIN,
    "webhooks.delete_webhook": ADMIN,
    "webhooks.list_deliveries": ADMIN,
    "webhooks.get_delivery": ADMIN,
    "webhooks.redeliver_delivery": ADMIN,
    "keys.list_keys_route": ADMIN,
}


def route_scope(endpoint: str | None, method: str) -> str:
    """The scope a route needs: its :data:`ROUTE_SCOPES` entry, else by method."""
    if endpoint in ROUTE_SCOPES:
        return ROUTE_SCOPES[endpoint]
    return READ if method in ("GET", "HEAD", "OPTIONS") else WRITE


def identify() -> None:
    """Authenticate the bearer key of a request to a protected route, if it sent one.

    Sets ``g.organization_id``, ``g.key_prefix`` and ``g.key_scopes`` for a valid key;
    otherwise ``g.auth_failure`` ("missing" or "invalid") for :func:`require_key`.
    """
    if request.blueprint not in PROTECTED:
        return
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        g.auth_failure = "missing"
        return
    engine = services().engine
    found = read_key(engine, key)
    if found is None:
        g.auth_failure = "invalid"
        return
    caller, stale = found
    if stale is not None:  # at most once a minute per key: its own write transaction
        with engine.begin() as connection:
            touch_key(connection, stale)
    g.organization_id = caller.organization_id
    g.key_prefix = caller.prefix
    g.key_scopes = caller.scopes


def require_key() -> None:
    """Refuse a request :func:`identify` could not authenticate (401), or whose key lacks
    the route's scope (403)."""
    failure = g.get("auth_failure")
    if failure == "missing" or (failure is None and "organization_id" not in g):
        raise ApiProblem(
            401,
            "authentication required",
            "send an organization key as 'Authorization: Bearer <key>' "
            "(make one with `mentormatch keys create --org NAME`)",
            kind="unauthorized",
            headers={"WWW-Authenticate": REALM},
        )
    if failure == "invalid":
        raise ApiProblem(
            401,
            "authentication required",
            "the key is unknown, revoked or expired",
            kind="unauthorized",
            headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
        )
    require_scope(route_scope(request.endpoint, request.method))


def require_scope(scope: str) -> None:
    """Refuse the request (403 problem naming the scope) unless its key carries ``scope``
    or ``admin``.

    Parameters
    ----------
    scope : ``read``, ``write`` or ``admin``.

    Raises
    ------
    ApiProblem
        403 when the key lacks ``scope``; 401 when the request has no authenticated key.
    """
    scopes = g.get("key_scopes")
    if scopes is None:
        raise ApiProblem(401, "authentication required", kind="unauthorized")
    if scope in scopes or ADMIN in scopes:
        return
    raise ApiProblem(
        403,
        "insufficient scope",
        f"this route needs a key with the {scope!r} scope; this key has "
        f"{', '.join(sorted(scopes)) or 'none'} (make one with `mentormatch keys create "
        f"--org NAME --scope {scope}`)",
        kind="forbidden",
        headers={"WWW-Authenticate": f'{REALM}, error="insufficient_scope", scope="{scope}"'},
        required_scope=scope,
    )


def install(app: Flask) -> None:
    """Register :func:`identify` app-wide (before the rate limiter's hook)."""
    app.before_request(identify)
