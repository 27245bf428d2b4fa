"""mentormatch: exact, explainable mentor-mentee matching (pure library).

The public API, for library users::

    import matcher

    cohort = matcher.read_cohort("data/coaching-sample.csv")
    policy = matcher.preset("coaching")
    result = matcher.solve(cohort, policy)
    assert matcher.checker(cohort, policy, result) == []  # the independent oracle

Names are imported on first use, so ``import matcher`` (and the command line's
``--help``) stays fast.
"""

from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"

_WHERE = {
    # inputs
    "read_cohort": "matcher.io.cohort_csv",
    "read_cohort_files": "matcher.io.cohort_csv",
    "write_cohort": "matcher.io.cohort_csv",
    "read_scores": "matcher.io.cohort_csv",
    "preset": "matcher.io.policy",
    "load_policy": "matcher.io.policy",
    "generate_cohort": "matcher.io.generate",
    # the pipeline and its oracle
    "prepare": "matcher.encode.prepare",
    "solve": "matcher.solve",
    "check": "matcher.checker",
    # outputs
    "write_pairs": "matcher.io.pair_files",
    "explain_mentee": "matcher.result.explain",
    # what-if
    "rematch": "matcher.whatif.rematch",
    "run_scenarios": "matcher.whatif.scenarios",
    "compare": "matcher.whatif.compare",
    # answers: why not, prices, alternatives, attrition, audit
    "why_not": "matcher.answers.why_not",
    "rule_prices": "matcher.answers.prices",
    "place_values": "matcher.answers.prices",
    "recruiting_hints": "matcher.answers.recruit",
    "alternatives": "matcher.answers.alternatives",
    "attrition": "matcher.answers.attrition",
    "audit": "matcher.answers.audit",
    "baseline": "matcher.answers.optimum",
    # types
    "Cohort": "matcher.model",
    "Mentor": "matcher.model",
    "Mentee": "matcher.model",
    "Skill": "matcher.model",
    "Policy": "matcher.model",
    "Weights": "matcher.model",
    "History": "matcher.model",
    "MatchResult": "matcher.results",
    "Pair": "matcher.results",
    "Unmatched": "matcher.results",
    "Alternate": "matcher.results",
    "Metrics": "matcher.results",
    "Status": "matcher.results",
    "Problem": "matcher.model",
    "InputError": "matcher.model",
    "InfeasibleError": "matcher.model",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'matcher' has no attribute {name!r}")
    value = getattr(import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
