"""``/api/v1/docs``: a self-contained page listing every route of the OpenAPI document.

Swagger UI and ReDoc load their scripts from a CDN, which neither our tests nor many
users' networks reach, so this page is plain HTML built from the same spec that
``/api/v1/openapi.json`` serves: each operation with its summary, parameters, request
content types and responses, then the problem types errors point to.
"""

from __future__ import annotations

from html import escape

from flask import Response
from flask_smorest import Blueprint, current_api

from api.jobs.problems import PROBLEM_TYPES as RUN_PROBLEM_TYPES

blp = Blueprint("docs", __name__, url_prefix="/api/v1")
PROBLEM_TYPES = {
    "input-rejected": "The cohort or policy has problems; `errors` lists every one "
    "(source, line, row, column, value, message). Nothing was stored.",
    "invalid-request": "A query parameter, header or JSON body has the wrong shape; "
    "`errors` names each field.",
    "unauthorized": "No key, or an unknown, revoked or expired key.",
    "forbidden": "The key lacks the scope this route needs (`required_scope`: read, write "
    "or admin).",
    "rate-limited": "This key, your organization or (without a valid key) your address "
    "made more requests than `limit` allows; retry after `Retry-After` seconds. Every "
    "answer carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset.",
    "not-found": "No such object in your organization.",
    "unsupported-media-type": "The Content-Type is not one this route reads.",
    "too-many-participants": "More participants than this server takes on this route.",
    "too-many-runs": "Your organization has the maximum of queued or running runs; "
    "retry after `Retry-After` seconds.",
    "run-not-succeeded": "The run has no results (see `run_status`).",
    "too-large-to-answer-inline": "The run's cohort has more participants (`participants`) "
    "than this server answers inline (`limit`); the detail names the CLI command to use.",
    "scenario-too-large": "The scenario makes more variants (`variants`) than this server "
    "takes, or more runs with its baseline than your organization may have queued or "
    "running; `limit` is the most variants allowed.",
    "run-finished": "The run has already finished; nothing to cancel.",
    "not-a-matching": "The run asked about is itself an answer job (prices, alternatives, "
    "attrition); ask about a match, rematch or scenario run.",
    "answer-needs-total-objective": "Prices, alternatives and attrition compare optima of "
    "the total objective; the run solved another (fair, stable or group-fair).",
    "nothing-to-rematch": "A people sync with leavers asked for a rematch, but the cohort "
    "has no succeeded match or rematch run; nothing was stored.",
    "pair-forbidden": "A hard rule forbids the requested pair (`rules` names them).",
    "mentor-full": "The mentor has no place left: their capacity is taken by the latest "
    "run's pairs and pending or accepted requests. Ask for suggestions.",
    "mentee-full": "The mentee already holds as many pending or accepted requests as "
    "mentors they want.",
    "already-requested": "The mentee has a pending or accepted request for this mentor.",
    "request-closed": "The request is no longer pending (`request_status`).",
    "mapping-template-exists": "Your organization already has a mapping template of this "
    "name; PUT /mappings/{name} replaces its mapping.",
    "idempotency-key-reused": "The Idempotency-Key was first used with another request.",
    "idempotency-in-progress": "The first request with this Idempotency-Key is still "
    "being handled.",
    "confirmation-mismatch": "DELETE /organization deletes nothing unless `confirm` names "
    "the key's organization exactly.",
    "busy": "The server is running as many inline solves (POST /match) as it takes; "
    "retry after `Retry-After` seconds, or queue a run.",
    "unavailable": "The database cannot be reached at the moment; retry after "
    "`Retry-After` seconds, with the same Idempotency-Key if you sent one.",
    **RUN_PROBLEM_TYPES,
}
STYLE = (
    "body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
    "code{background:#f3f3f3;padding:0 .25em}.op{border-top:1px solid #ddd;padding:.5rem 0}"
    ".m{display:inline-block;min-width:4.5em;font-weight:bold}"
)


def _operation(path: str, method: str, op: dict) -> str:
    params = ", ".join(
        f"<code>{escape(p.get('name', ''))}</code> ({escape(p.get('in', ''))})"
        for p in op.get("parameters", [])
        if isinstance(p, dict)
    )
    body = ", ".join(escape(t) for t in op.get("requestBody", {}).get("content", {}))
    codes = ", ".join(escape(str(code)) for code in op.get("responses", {}))
    open_ = " (no key needed)" if op.get("security") == [] else ""
    rows = [
        f'<div class="op"><span class="m">{method.upper()}</span> <code>{escape(path)}</code>'
        f"{open_}<br>{escape(op.get('summary', ''))}"
    ]
    if params:
        rows.append(f"<br>parameters: {params}")
    if body:
        rows.append(f"<br>body: {body}")
    rows.append(f"<br>responses: {codes}</div>")
    return "".join(rows)


def render(spec: dict) -> str:
    """The page's HTML for an OpenAPI document."""
    info = spec.get("info", {})
    parts = [
        f"<!doctype html><meta charset=utf-8><title>{escape(info.get('title', ''))}</title>",
        f"<style>{STYLE}</style><h1>{escape(info.get('title', ''))} "
        f"{escape(str(info.get('version', '')))}</h1>",
        "<p>Send <code>Authorization: Bearer &lt;key&gt;</code> (make a key with "
        "<code>mentormatch keys create --org NAME</code>). Machine-readable: "
        '<a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p><h2>Routes</h2>',
    ]
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                parts.append(_operation(path, method, op))
    parts.append("<h2>Problem types</h2><p>Errors are <code>application/problem+json</code>.</p>")
    parts.extend(
        f'<p id="problem-{kind}"><code>{kind}</code>: {escape(text)}</p>'
        for kind, text in PROBLEM_TYPES.items()
    )
    return "\n".join(parts)


@blp.route("/docs", methods=["GET"])
@blp.doc(security=[])
@blp.response(200, content_type="text/html")
def docs():
    """This page: every route of the API, from the OpenAPI document."""
    return Response(render(current_api.spec.to_dict()), mimetype="text/html")
