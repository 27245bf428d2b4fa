"""The independent oracle: is a MatchResult valid for this cohort and policy?

:func:`check` knows nothing about any solver, nor about how production encodes rules or
scores: every hard rule and every score component is re-derived here in plain Python,
pair by pair, on the result's pairs only, from the cohort and the policy. It imports
:mod:`matcher.model` and the input normalisation of :mod:`matcher.io` and nothing else of
the package (a test parses the imports to keep it so); production code never imports it.
Every solver test uses it; it returns human-readable violations, empty when all is well.

Modules: :mod:`~matcher.checker.rules` (one predicate per hard rule),
:mod:`~matcher.checker.scores` (one function per score component),
:mod:`~matcher.checker.places` (ids, capacities, loads, pinned pairs, unmatched rows),
:mod:`~matcher.checker.summary` (objective, metrics, status, alternates).
"""

from __future__ import annotations

from collections.abc import Callable

from matcher.checker.places import (
    capacities,
    department_caps,
    duplicate_pairs,
    minimum_loads,
    pinned_marks,
    pinned_present,
    unknown_ids,
    unmatched_rows,
)
from matcher.checker.rules import (
    chain_parents,
    hard_rule_violations,
    managers_above,
    rule_violations,
)
from matcher.checker.scores import score_violations
from matcher.checker.summary import alternates, metrics, objective, status
from matcher.model import Cohort, Policy
from matcher.results import MatchResult

__all__ = ["CHECKS", "Check", "chain_parents", "check", "managers_above", "rule_violations"]

Check = Callable[[Cohort, Policy, MatchResult], list[str]]

# In the order their messages appear: who is paired, the rules each pair obeys, how
# full everyone is, the scores, then the figures the result states about itself.
CHECKS: tuple[Check, ...] = (
    unknown_ids,
    duplicate_pairs,
    hard_rule_violations,
    capacities,
    minimum_loads,
    department_caps,
    pinned_present,
    pinned_marks,
    score_violations,
    objective,
    unmatched_rows,
    alternates,
    metrics,
    status,
)


def check(cohort: Cohort, policy: Policy, result: MatchResult) -> list[str]:
    """Every way ``result`` breaks the cohort's capacities, the policy's hard rules or itself.

    Parameters
    ----------
    cohort : the cohort that was matched.
    policy : the policy it was matched under.
    result : any MatchResult, from any solver, from storage or built by hand.

    Returns
    -------
    list of str
        Human-readable violations, one per problem found, grouped by :data:`CHECKS`;
        empty when the result is valid.
    """
    return [message for concern in CHECKS for message in concern(cohort, policy, result)]


# The chain walk under the old single module's private name, which tests still import.
_managers_above = managers_above
