"""The one place where float scores become the integers solvers optimise.

Min-cost flow and CP-SAT work on integers. A score ``s`` becomes ``round(s * SCALE)``;
integer inputs (such as OR-Library costs) are therefore exact. Matching as many places as
possible comes first: every matched place earns ``bonus`` on top of its score, and
``bonus`` exceeds the largest possible spread of total scores, so no trade of a place for
score can pay.
"""

from __future__ import annotations

import numpy as np

SCALE = 1_000_000
_INT64_SAFE = 2**62


def to_int(scores: np.ndarray) -> np.ndarray:
    """Scaled integer scores (int64) for ``scores`` (float array).

    Raises
    ------
    OverflowError
        If ``|score| * SCALE`` reaches 2**52 (a score of about 4.5e9 or more), beyond
        which float64 cannot hold every scaled integer exactly.
    """
    scores = np.asarray(scores, dtype=np.float64)
    if scores.size and float(np.max(np.abs(scores))) * SCALE >= 2**52:
        raise OverflowError("pair scores are too large to optimise exactly (|score| >= 4.5e9)")
    return np.rint(scores * SCALE).astype(np.int64)


def to_float(total: int | np.integer) -> float:
    """The float score of a scaled integer total."""
    return float(total) / SCALE


def place_bonus(int_scores: np.ndarray, places: int) -> int:
    """The per-place bonus that makes cardinality lexicographically first.

    Parameters
    ----------
    int_scores : the scaled scores of every pair the solver may use.
    places : an upper bound on the number of matched places.

    Returns
    -------
    int
        ``places * (max(hi, 0) - min(lo, 0)) + 1`` (at least 1; 1 when ``int_scores`` is
        empty), checked for int64 overflow of the largest objective ``places * (bonus + max)``.

    Raises
    ------
    OverflowError
        If ``places * (bonus + |max| + |min|)`` reaches 2**62.
    """
    if int_scores.size == 0:
        return 1
    # Measured from 0 so that a place is worth taking even when every score is negative.
    hi, lo = max(0, int(int_scores.max())), min(0, int(int_scores.min()))
    bonus = max(1, places * (hi - lo) + 1)
    if places * (bonus + abs(hi) + abs(lo)) >= _INT64_SAFE:
        raise OverflowError("too many places with too wide a score range to optimise exactly")
    return bonus
