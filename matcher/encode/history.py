"""Pairing history across cycles: earlier pairs, by index, and what the policy does with them.

A policy's ``previous_pairs`` are (mentee_id, mentor_id) pairs of earlier cycles, from this
cohort or another; pairs naming someone not in this cohort are ignored (people come and
go between cycles). With ``history = "avoid"`` they are a hard rule (``history`` in
:data:`matcher.encode.rules.RULES`, through :func:`history_pairs`); with ``"prefer"``
:func:`add_history_bonus` adds ``history_bonus`` to their scores, the one place the bonus
is applied (every later stage reads the instance's scores). A pair another rule forbids
stays forbidden: the bonus never makes a pair eligible.
"""

from __future__ import annotations

import numpy as np

from matcher.model import Cohort, History, Policy


def history_pairs(cohort: Cohort, policy: Policy) -> tuple[tuple[int, int], ...]:
    """The earlier pairs of people both in ``cohort``, as sorted (mentee, mentor) indices.

    Parameters
    ----------
    cohort : this cycle's cohort.
    policy : supplies ``previous_pairs``.

    Returns
    -------
    tuple of (int, int)
        Without repeats; pairs naming someone outside the cohort (or in the other role)
        are left out.
    """
    mentee_at = {x: i for i, x in enumerate(cohort.mentee_ids)}
    mentor_at = {x: j for j, x in enumerate(cohort.mentor_ids)}
    return tuple(
        sorted(
            {
                (mentee_at[e], mentor_at[m])
                for e, m in policy.previous_pairs
                if e in mentee_at and m in mentor_at
            }
        )
    )


def avoided_pairs(cohort: Cohort, policy: Policy) -> tuple[tuple[int, int], ...]:
    """The pairs the history rule forbids: the earlier pairs with ``history = "avoid"``."""
    return history_pairs(cohort, policy) if policy.history is History.AVOID else ()


def add_history_bonus(cohort: Cohort, policy: Policy, scores: np.ndarray) -> np.ndarray:
    """``scores`` with ``history_bonus`` added at the earlier pairs, under ``"prefer"``.

    Parameters
    ----------
    cohort, policy : the inputs.
    scores : the (n_mentees, n_mentors) score matrix; changed in place.

    Returns
    -------
    np.ndarray
        ``scores`` itself.
    """
    if policy.history is not History.PREFER or not policy.history_bonus:
        return scores
    pairs = history_pairs(cohort, policy)
    if pairs:
        rows, cols = np.array(pairs, dtype=np.int64).T
        scores[rows, cols] += policy.history_bonus
    return scores
