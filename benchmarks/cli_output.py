"""Check what ``mentormatch match -o pairs.csv --json`` wrote, with the independent checker.

The pairs file and the JSON summary are turned back into a
:class:`matcher.results.MatchResult` (:func:`result_from_files`): the pairs with their
scores, components and pinned marks and the unmatched rows from the file; status,
objective, bound, gap, certified and metrics from the summary. :func:`check_files` runs
every concern of :func:`matcher.checker.check` on it, except that scores are compared at
the file's precision: the file writes scores with 6 decimals (the checker's tolerance)
but components with 4, so components are held to their rounding (:data:`COMPONENT_TOLERANCE`)
by the checker's own recomputation (:mod:`matcher.checker.scores`). Alternates are not in
the file and are not checked. :func:`task` is the worker task the generated suite runs.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter

from benchmarks.common import CheckFailed
from matcher.checker import CHECKS
from matcher.checker.base import close, known_pairs
from matcher.checker.scores import components, score_violations, scoring, total
from matcher.io.cohort_csv import read_assignments, read_cohort
from matcher.io.policy import load_policy, preset
from matcher.model import COMPONENTS, Cohort, Policy
from matcher.results import MatchResult, Metrics, Pair, Status, Unmatched

# Components are written with 4 decimals: off by up to 5e-5, plus float noise.
COMPONENT_TOLERANCE = 5e-5 + 1e-6
_MISSING = re.compile(r"(\d+) places missing")


def result_from_files(cohort: Cohort, rows: list[dict], summary: dict) -> MatchResult:
    """The MatchResult a pairs file and its ``--json`` summary state.

    Parameters
    ----------
    cohort : the matched cohort (for each unmatched mentee's wanted places).
    rows : :func:`matcher.io.cohort_csv.read_assignments` of the pairs file.
    summary : the parsed ``--json`` output.

    Returns
    -------
    MatchResult
        Unmatched rows say how many places are missing only above one (``N places
        missing`` in the explanation); otherwise one.
    """
    pairs = tuple(
        Pair(
            r["mentee_id"],
            r["mentor_id"],
            r["score"],
            tuple((c, r[c]) for c in COMPONENTS if r.get(c) is not None),
            bool(r["pinned"]),
        )
        for r in rows
        if r["mentor_id"]
    )
    unmatched = []
    for r in rows:
        if not r["mentor_id"]:
            found = _MISSING.search(r.get("explanation") or "")
            unmatched.append(Unmatched(r["mentee_id"], int(found.group(1)) if found else 1))
    return MatchResult(
        solver=summary["solver"],
        status=Status(summary["status"]),
        pairs=pairs,
        unmatched=tuple(unmatched),
        metrics=Metrics(**summary["metrics"]),
        objective=summary["objective"],
        bound=summary["bound"],
        gap=summary["gap"],
        certified=summary["certified"],
        conflicts=tuple(summary["conflicts"]),
    )


def file_scores(cohort: Cohort, policy: Policy, result: MatchResult) -> list[str]:
    """Pair scores (6 decimals) and components (4 decimals) against the checker's values."""
    ctx = scoring(cohort, policy)
    out = []
    for pair, mentee, mentor in known_pairs(cohort, result):
        name = f"pair ({pair.mentee_id}, {pair.mentor_id})"
        parts = components(mentee, mentor, ctx)
        expected = total(mentee, mentor, ctx, parts)
        if not close(pair.score, expected):
            out.append(f"{name} has score {pair.score!r}, recomputed {round(expected, 6)!r}")
        given = dict(pair.components)
        if set(given) != set(parts):
            out.append(f"{name} lists components {sorted(given)}, expected {sorted(parts)}")
        for comp, value in parts.items():
            if comp in given and not close(given[comp], value, COMPONENT_TOLERANCE):
                out.append(f"{name} has {comp} {given[comp]!r}, recomputed {round(value, 6)!r}")
    return out


def check_files(cohort: Cohort, policy: Policy, rows: list[dict], summary: dict) -> list[str]:
    """Every violation of the pairs file and summary (empty: the checker passed).

    Returns
    -------
    list of str
        The checker's concerns in their order, with :func:`file_scores` in place of the
        score check, then any disagreement between the file and the summary's counts.
    """
    result = result_from_files(cohort, rows, summary)
    out = []
    for concern in CHECKS:
        found = file_scores if concern is score_violations else concern
        out += found(cohort, policy, result)
    short = Counter(u.mentee_id for u in result.unmatched)
    if len(short) != summary["unmatched_mentees"]:
        out.append(
            f"the file lists {len(short)} unmatched mentees, the summary "
            f"{summary['unmatched_mentees']}"
        )
    return out


def task(cohort: str, pairs: str, summary: str, policy: str | None, program: str) -> dict:
    """Read and check one ``match`` output (inside a worker process).

    Parameters
    ----------
    cohort, pairs, summary : paths of the cohort sheet, the pairs file, the JSON summary.
    policy : the ``--policy`` file given to ``match``, or None for ``preset(program)``.
    program : the preset ``match`` used without ``--policy``.

    Returns
    -------
    dict
        ``checker`` ("passed"), ``check_s`` (read and check) and ``pairs``.

    Raises
    ------
    CheckFailed
        With the number of violations and the first five.
    """
    started = time.perf_counter()
    the_policy = load_policy(policy) if policy else preset(program)
    the_cohort = read_cohort(cohort)
    rows = read_assignments(pairs)
    with open(summary, encoding="utf-8") as stream:
        stated = json.load(stream)
    problems = check_files(the_cohort, the_policy, rows, stated)
    if problems:
        shown = "; ".join(problems[:5])
        raise CheckFailed(f"{pairs}: checker found {len(problems)} violation(s): {shown}")
    return {
        "checker": "passed",
        "check_s": round(time.perf_counter() - started, 3),
        "pairs": sum(1 for r in rows if r["mentor_id"]),
    }
