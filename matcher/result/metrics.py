"""Summary figures of a matching: places, score distribution, mentor loads, skill coverage.

:func:`compute_metrics` fills :class:`matcher.results.Metrics` from index pairs and their
scores; it is vectorised (numpy) so that it costs milliseconds for 10,000 mentees. Float
figures are rounded to 6 decimals so that equal inputs give byte-identical output.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from matcher.encode.instance import Instance
from matcher.model import Cohort
from matcher.results import SCORE_DIGITS, Metrics

if TYPE_CHECKING:
    from numpy.typing import ArrayLike


def _r(value) -> float:
    return round(float(value), SCORE_DIGITS)


def skill_coverage(
    cohort: Cohort,
    pairs: Sequence[tuple[int, int]],
    normalise: Callable[[str], str] | None = None,
) -> float | None:
    """Share of (matched mentee, wanted skill) pairs taught by at least one assigned mentor.

    Parameters
    ----------
    cohort : supplies the mentees' wanted skills and the mentors' taught skills.
    pairs : (mentee index, mentor index) pairs.
    normalise : optional ``str -> str`` applied to skill names (the policy's aliases);
        names are then compared exactly.

    Returns
    -------
    float or None
        Rounded to 6 decimals; None when no matched mentee lists a skill.
    """
    norm = normalise or (lambda text: text)
    teaches: dict[int, set[str]] = {}
    taught: dict[int, set[str]] = {}
    for i, j in pairs:
        j = int(j)
        if j not in teaches:
            teaches[j] = {norm(s.name) for s in cohort.mentors[j].skills}
        taught.setdefault(int(i), set()).update(teaches[j])
    wanted = covered = 0
    for i, names in taught.items():
        skills = {norm(s.name) for s in cohort.mentees[i].skills}
        wanted += len(skills)
        covered += len(skills & names)
    return _r(covered / wanted) if wanted else None


def compute_metrics(
    instance: Instance,
    pairs: Iterable[tuple[int, int]],
    scores: ArrayLike,
    cohort: Cohort | None = None,
    normalise: Callable[[str], str] | None = None,
) -> Metrics:
    """The :class:`Metrics` of a matching.

    Parameters
    ----------
    instance : the problem (sizes, ``wanted``).
    pairs : (mentee index, mentor index) pairs of the matching.
    scores : the pairs' scores, in the same order (a float array or list).
    cohort : for ``skill_coverage``; without it that figure is None.
    normalise : optional skill-name normaliser for ``skill_coverage`` (policy aliases).

    Returns
    -------
    Metrics
        Percentiles use numpy's "linear" method; ``mean_load`` is the mean number of
        mentees of the mentors used (None when nobody is matched).

    Raises
    ------
    ValueError
        If ``scores`` and ``pairs`` differ in length.
    """
    pairs = [(int(i), int(j)) for i, j in pairs]
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    if scores.size != len(pairs):
        raise ValueError(f"{len(pairs)} pairs but {scores.size} scores")
    n_e, n_m = instance.shape
    rows = np.fromiter((i for i, _ in pairs), np.int64, len(pairs))
    cols = np.fromiter((j for _, j in pairs), np.int64, len(pairs))
    got = np.bincount(rows, minlength=n_e)
    load = np.bincount(cols, minlength=n_m)
    wanted = np.asarray(instance.wanted, dtype=np.int64)
    used = int(np.count_nonzero(load))
    figures = {}
    if scores.size:
        p10, median, p90 = np.percentile(scores, [10, 50, 90], method="linear")
        figures = dict(
            mean_score=_r(scores.mean()),
            min_score=_r(scores.min()),
            p10_score=_r(p10),
            median_score=_r(median),
            p90_score=_r(p90),
        )
    return Metrics(
        mentees=n_e,
        mentors=n_m,
        wanted_places=int(wanted.sum()),
        matched_places=len(pairs),
        matched_mentees=int(np.count_nonzero(got)),
        fully_matched_mentees=int(np.count_nonzero((got >= wanted) & (wanted > 0))),
        mentors_used=used,
        mean_load=_r(len(pairs) / used) if used else None,
        max_load=int(load.max(initial=0)),
        skill_coverage=None if cohort is None else skill_coverage(cohort, pairs, normalise),
        **figures,
    )
