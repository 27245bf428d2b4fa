"""The solver-facing view of a cohort under a policy: indices, arrays and nothing else.

Every solver in :mod:`matcher.solvers` takes an :class:`Instance` and returns a
:class:`Solution`; neither knows about CSV, names or policies' file formats. An Instance
is built from a Cohort and a Policy by :func:`matcher.encode.prepare.build_instance` (eligibility
+ scoring), or directly from a score matrix (OR-Library instances, tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher.results import Status

if TYPE_CHECKING:
    from numpy.typing import ArrayLike


@dataclass(frozen=True, eq=False)
class Instance:
    """A matching problem by index: mentee ``i`` is row ``i``, mentor ``j`` is column ``j``.

    Attributes
    ----------
    mentee_ids, mentor_ids : the people's ids, in cohort order.
    scores : float64 (n_mentees, n_mentors); the weighted pair score. Only read where
        ``eligible`` is True. For large cohorts a
        :class:`~matcher.encode.lazy_scores.LazyScores`, indexed the same way
        (``scores[r0:r1]``, ``scores[rows, cols]``) but computed on demand.
    eligible : bool (n_mentees, n_mentors); False where a hard rule forbids the pair.
    wanted : int64 (n_mentees,); how many mentors each mentee wants (0: sits out).
    capacity : int64 (n_mentors,); each mentor's maximum load (0: sits out).
    min_load : int64 (n_mentors,); each mentor's minimum load (a cpsat-only rule).
    pinned : (mentee index, mentor index) pairs that must be in every result; each is
        eligible and counts against ``wanted`` and ``capacity``.
    mentee_group : int64 (n_mentees,) group code (department), -1 for none; with
        ``max_per_group``, a mentor takes at most that many mentees of one group.
    mentee_prefs, mentor_prefs : stated preference lists, by index, best first (stable).
    listed : with ``scores_only``, every pair that has an external score (rows, cols;
        int64, sorted by (mentee, mentor)): no other pair can be open, so the flow works
        on this list instead of scanning the matrix. None otherwise.
    """

    mentee_ids: tuple[str, ...]
    mentor_ids: tuple[str, ...]
    scores: Any  # np.ndarray or matcher.encode.lazy_scores.LazyScores
    eligible: np.ndarray
    wanted: np.ndarray
    capacity: np.ndarray
    min_load: np.ndarray
    pinned: tuple[tuple[int, int], ...] = ()
    mentee_group: np.ndarray | None = None
    max_per_group: int | None = None
    mentee_prefs: tuple[tuple[int, ...], ...] = ()
    mentor_prefs: tuple[tuple[int, ...], ...] = ()
    listed: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.mentee_ids), len(self.mentor_ids))

    @classmethod
    def from_matrix(
        cls,
        scores: ArrayLike,
        eligible: ArrayLike | None = None,
        wanted: ArrayLike | None = None,
        capacity: ArrayLike | None = None,
        **extra: Any,
    ) -> Instance:
        """An Instance from a bare score matrix (ids are ``"e0".."eN"`` and ``"m0".."mM"``).

        Parameters
        ----------
        scores : array-like (n_mentees, n_mentors) of finite floats.
        eligible : bool array-like of the same shape; default all True.
        wanted, capacity : int array-likes (one per mentee / mentor); default all ones.
        **extra : any other Instance field (pinned, min_load, mentee_group, ...);
            ``min_load`` defaults to all zeros.

        Returns
        -------
        Instance
            ``scores`` as float64, ``eligible`` as bool, ``wanted`` and ``capacity`` as int64.
        """
        scores = np.asarray(scores, dtype=np.float64)
        n_e, n_m = scores.shape
        eligible = np.ones((n_e, n_m), bool) if eligible is None else np.asarray(eligible, bool)
        extra.setdefault("min_load", np.zeros(n_m, np.int64))
        return cls(
            mentee_ids=tuple(f"e{i}" for i in range(n_e)),
            mentor_ids=tuple(f"m{j}" for j in range(n_m)),
            scores=scores,
            eligible=eligible,
            wanted=np.ones(n_e, np.int64) if wanted is None else np.asarray(wanted, np.int64),
            capacity=(
                np.ones(n_m, np.int64) if capacity is None else np.asarray(capacity, np.int64)
            ),
            **extra,
        )


@dataclass(frozen=True)
class Solution:
    """What a solver returns: pairs by index and how sure it is.

    Attributes
    ----------
    pairs : sorted (mentee index, mentor index) tuples, pinned pairs included.
    status : OPTIMAL (proven for the solver's objective), FEASIBLE or INFEASIBLE.
    bound : upper bound on the total score among solutions with as many matched places
        (None when the solver cannot give one).
    certified : True when optimality was proven against every eligible pair, not only
        the candidate graph the solver worked on.
    conflicts : for INFEASIBLE, which hard rules conflict, in words.
    notes : facts worth reporting (candidate graph size, re-solves, limits hit).
    timings : (stage, seconds) in the order run.
    graph : the pair arcs (rows, cols; int64) of the last candidate graph a flow solver
        worked on, to warm-start a re-solve of a slightly changed instance; None when
        every open pair was an arc (small pools) or the solver keeps no graph.
    """

    pairs: tuple[tuple[int, int], ...]
    status: Status
    bound: float | None = None
    certified: bool = False
    conflicts: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    timings: tuple[tuple[str, float], ...] = ()
    graph: tuple[np.ndarray, np.ndarray] | None = field(default=None, compare=False, repr=False)
