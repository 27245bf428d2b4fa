"""Why a run failed, as RFC 9457 problem objects stored in ``Run.error``.

A run's error is read later through ``GET /runs/{id}``, so it is a plain JSON dict with
``type``, ``title``, ``status`` and ``detail`` (plus extension members), never a
traceback. ``type`` points at the problem's entry on the docs page, like the HTTP errors.
:data:`PROBLEM_TYPES` describes each kind for that page.
"""

from __future__ import annotations

from matcher.model import InputError

DOCS = "/api/v1/docs"
MAX_LISTED = 1_000

PROBLEM_TYPES = {
    "run-input-rejected": "The run's policy does not fit its cohort; `errors` lists every "
    "problem (source, column, value, message).",
    "run-attempts-exhausted": "The run's worker stopped (crash, kill or restart) on every "
    "attempt; `attempts` says how many. Start the run again.",
    "run-unknown-kind": "This server cannot run runs of this kind (see `kind`).",
    "run-internal-error": "An unexpected error stopped the run; quote `run_id` to the "
    "operator, whose server log has the details.",
}


def problem(kind: str, title: str, status: int, detail: str, /, **members) -> dict:
    """A problem dict of ``kind`` (a key of :data:`PROBLEM_TYPES`).

    Parameters
    ----------
    kind : the problem type's slug.
    title : short, the same for every occurrence of this kind.
    status : the HTTP status the problem would have as a response.
    detail : this occurrence, in words a person can act on.
    members : extension members (None values left out).

    Returns
    -------
    dict
    """
    body = {"type": f"{DOCS}#problem-{kind}", "title": title, "status": status, "detail": detail}
    body.update({k: v for k, v in members.items() if v is not None})
    return body


def input_rejected(error: InputError) -> dict:
    """The core rejected the run's input: every problem, as the HTTP 422 lists them."""
    keys = ("source", "line", "row", "column", "value", "message")
    items = [
        {k: getattr(p, k) for k in keys if getattr(p, k) is not None}
        for p in error.problems[:MAX_LISTED]
    ]
    detail = f"{len(error.problems)} problem(s) with the run's policy and cohort"
    return problem(
        "run-input-rejected",
        error.title,
        422,
        detail,
        errors=items,
        total_errors=len(error.problems),
    )


def attempts_exhausted(attempts: int) -> dict:
    """The run's worker was lost ``attempts`` times."""
    return problem(
        "run-attempts-exhausted",
        "the run's worker stopped on every attempt",
        500,
        f"the run was started {attempts} time(s) and its worker stopped each time before "
        "it finished (crash, kill or restart); it will not be tried again",
        attempts=attempts,
    )


def unknown_kind(kind: str, known: list[str]) -> dict:
    """No runner for the run's kind on this server."""
    return problem(
        "run-unknown-kind",
        "this server cannot run this kind of run",
        422,
        f"runs of kind {kind!r} cannot run here; known kinds: {', '.join(known)}",
        kind=kind,
    )


def internal_error(run_id: str, error: BaseException) -> dict:
    """An unexpected exception; the detail names its class only (messages may hold data)."""
    return problem(
        "run-internal-error",
        "the run failed unexpectedly",
        500,
        f"an unexpected {type(error).__name__} stopped the run; the server log has the "
        f"details under run id {run_id}",
        run_id=run_id,
    )
