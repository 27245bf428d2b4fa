"""The certified optimum every answer compares with, and exact re-solves of changed instances.

:func:`baseline` prepares a cohort once and solves it with the exact flow (places first,
then the total score; minimum loads and department caps included). :func:`resolve`
solves a changed copy of its instance (a pinned pair, a dropped rule, one more place,
more mentors) warm from the optimum's candidate graph; the certificate is the same, and
a warm solve that cannot be certified is redone cold, so every figure is as exact as a
fresh :func:`matcher.solve.solve`; :func:`resolve_keeping` picks, among tied optima, the
one closest to the baseline. :func:`optimum_of` reduces a solution to the two
figures compared (matched places, total score); :func:`pair_moves` says who moves
between two matchings; :func:`person_index` finds a person by id with a close-match hint.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np

from matcher.encode.instance import Instance, Solution
from matcher.encode.prepare import Prepared, prepare
from matcher.model import Cohort, InfeasibleError, InputError, Objective, Policy, Problem
from matcher.results import SCORE_DIGITS, Status
from matcher.solvers.dispatch import run_solver
from matcher.solvers.integers import SCALE
from matcher.whatif.moves import Move


@dataclass(frozen=True)
class Optimum:
    """The two figures an optimum is compared by.

    Attributes
    ----------
    places : matched places (a mentee may want several).
    score : the total score, rounded to :data:`matcher.results.SCORE_DIGITS` decimals.
    certified : proven optimal against every eligible pair.
    """

    places: int
    score: float
    certified: bool = True


@dataclass(frozen=True)
class Cost:
    """What a change costs against the optimum: positive is worse.

    Attributes
    ----------
    places : places the optimum has and the changed one has not.
    score : total score the optimum has and the changed one has not.
    """

    places: int
    score: float


@dataclass(frozen=True, eq=False)
class Baseline:
    """A cohort prepared once and its certified optimum.

    Attributes
    ----------
    prepared : the prepared cohort and policy.
    solution : the exact flow's solution (its ``graph`` warm-starts re-solves).
    optimum : its places and total score.
    """

    prepared: Prepared
    solution: Solution
    optimum: Optimum

    @property
    def instance(self) -> Instance:
        return self.prepared.instance


def cost_of(optimum: Optimum, changed: Optimum) -> Cost:
    """``optimum`` minus ``changed``, in places and score."""
    return Cost(optimum.places - changed.places, round(optimum.score - changed.score, SCORE_DIGITS))


def total_objective(cohort: Cohort, policy: Policy, what: str) -> None:
    """Refuse objectives other than the total score, naming ``what`` was asked.

    Raises
    ------
    InputError
        If the policy's objective is fair or stable.
    """
    del cohort
    if policy.objective is not Objective.TOTAL:
        problem = Problem(
            f"{what} compares optima of the total objective (places first, then the total "
            'score); set solver.objective = "total" or leave it out',
            column="solver.objective",
            value=policy.objective.value,
            source="policy",
        )
        raise InputError([problem], title=f"mentormatch cannot answer {what} for this policy")


def baseline(cohort: Cohort, policy: Policy, what: str = "this question") -> Baseline:
    """Prepare ``cohort`` under ``policy`` and find its certified optimum.

    Parameters
    ----------
    cohort, policy : the inputs; the policy's objective must be the total score.
    what : the question asked, for the error when the objective is another.

    Returns
    -------
    Baseline

    Raises
    ------
    InputError
        If the objective is not the total score, or the policy names unknown people.
    InfeasibleError
        If the hard rules conflict (there is no optimum to compare with).
    """
    total_objective(cohort, policy, what)
    prepared = prepare(cohort, policy)
    solution = _solve(prepared.instance, policy, None)
    if solution.status is Status.INFEASIBLE:
        raise InfeasibleError(solution.conflicts)
    return Baseline(prepared, solution, optimum_of(prepared.instance, solution))


def _solve(instance: Instance, policy: Policy, start) -> Solution:
    try:
        return run_solver("flow", instance, policy, start=start)
    except InfeasibleError as error:  # pinned pairs that cannot all hold
        return Solution((), Status.INFEASIBLE, conflicts=error.conflicts)


def resolve(base: Baseline, instance: Instance) -> Solution:
    """The exact optimum of ``instance``, a changed copy of the baseline's.

    Warm-started from the baseline's candidate graph when the instance has the
    baseline's mentees and its mentors first (ids in the same order); a warm solve that
    is infeasible or not certified is redone cold.

    Parameters
    ----------
    base : the baseline.
    instance : the changed instance (pins, eligibility, capacities, minimum loads,
        department cap, or mentors appended).

    Returns
    -------
    Solution
        INFEASIBLE with the conflicts when the changed rules cannot all hold.
    """
    policy = base.prepared.policy
    same_people = instance.mentee_ids == base.instance.mentee_ids and (
        instance.mentor_ids[: base.instance.shape[1]] == base.instance.mentor_ids
    )
    if base.solution.graph is not None and same_people:
        warm = _solve(instance, policy, base.solution.graph)
        if warm.status is not Status.INFEASIBLE and warm.certified:
            return warm
    return _solve(instance, policy, None)


def resolve_keeping(base: Baseline, instance: Instance) -> Solution:
    """As :func:`resolve`, and among the optima the one that keeps most baseline pairs.

    Optima often tie: without this, two exact solves may differ in many pairs that could
    have stayed, and "who moves" would list them. The solver sees integer scores
    ``n * (K + 1) + kept`` (``n`` the integer score it optimises anyway, ``K`` the number
    of baseline pairs, ``kept`` 1 on a baseline pair): a score difference of one unit
    outweighs every kept pair, so places, then score, then kept pairs, exactly. When
    that objective is too large for 64-bit integers, the plain re-solve is used.

    Parameters
    ----------
    base : the baseline (its pairs are the ones to keep).
    instance : the changed instance, with the baseline's people in the same order.

    Returns
    -------
    Solution
        Its pairs are an optimum of ``instance``; ``bound`` is in the solver's units.
    """
    factor = len(base.solution.pairs) + 1
    scores = instance.scores * SCALE  # in place from here: one copy of the matrix
    np.rint(scores, out=scores)
    scores *= factor / SCALE
    rows, cols = pairs_array(base.solution.pairs)
    scores[rows, cols] += 1 / SCALE
    try:
        return resolve(base, replace(instance, scores=scores))
    except OverflowError:
        return resolve(base, instance)


def optimum_of(instance: Instance, solution: Solution) -> Optimum:
    """Matched places and the total score of a feasible ``solution``.

    Parameters
    ----------
    instance : the instance it solves (real scores).
    solution : an OPTIMAL or FEASIBLE solution.

    Returns
    -------
    Optimum
    """
    total = math.fsum(float(instance.scores[i, j]) for i, j in solution.pairs)
    return Optimum(len(solution.pairs), round(total, SCORE_DIGITS), solution.certified)


def optimum_to_dict(optimum: Optimum | None) -> dict | None:
    """An :class:`Optimum` (or None) as JSON-ready data."""
    return None if optimum is None else asdict(optimum)


def person_index(cohort: Cohort, role: str, given: str, column: str) -> int | Problem:
    """The position of the ``role`` (mentee or mentor) with id ``given``, or a Problem.

    Parameters
    ----------
    cohort : the cohort.
    role : ``"mentee"`` or ``"mentor"``.
    given : the id as typed.
    column : where the id came from, for the Problem (``"mentee"``, ``"--why-not"``).

    Returns
    -------
    int or Problem
        The Problem names the id and the closest id of that role (the same id in
        another case first), or says that the id belongs to the other role.
    """
    ids = cohort.mentee_ids if role == "mentee" else cohort.mentor_ids
    other = cohort.mentor_ids if role == "mentee" else cohort.mentee_ids
    if given in ids:
        return ids.index(given)
    if given in other:
        message = (
            f"{given!r} is a {'mentor' if role == 'mentee' else 'mentee'}; expected a {role} id"
        )
    else:
        folded = [x for x in ids if x.casefold() == given.strip().casefold()]
        close = folded or difflib.get_close_matches(given, list(ids), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        message = f"no {role} with this id in the cohort{hint}"
    return Problem(message, column=column, value=given)


def pair_moves(
    instance: Instance,
    before: Sequence[tuple[int, int]],
    after: Sequence[tuple[int, int]],
    reason: Callable[[int, int | None, int | None], str],
) -> tuple[Move, ...]:
    """Who moves from the matching ``before`` to ``after``, one Move per changed place.

    Parameters
    ----------
    instance : the instance both index (ids and scores; the ``after`` side may have
        more mentors than ``before``).
    before, after : (mentee index, mentor index) pairs.
    reason : ``(mentee, from mentor or None, to mentor or None) -> str``.

    Returns
    -------
    tuple of Move
        By mentee index; a mentee's lost and new mentors are paired in mentor order.
    """
    old: dict[int, list[int]] = {}
    new: dict[int, list[int]] = {}
    for i, j in sorted(before):
        old.setdefault(i, []).append(j)
    for i, j in sorted(after):
        new.setdefault(i, []).append(j)
    ids, mentor_ids, scores = instance.mentee_ids, instance.mentor_ids, instance.scores

    def score(i, j):
        return None if j is None else round(float(scores[i, j]), SCORE_DIGITS)

    moves = []
    for i in sorted(set(old) | set(new)):
        lost = [j for j in old.get(i, []) if j not in set(new.get(i, []))]
        got = [j for j in new.get(i, []) if j not in set(old.get(i, []))]
        for k in range(max(len(lost), len(got))):
            a = lost[k] if k < len(lost) else None
            b = got[k] if k < len(got) else None
            moves.append(
                Move(
                    ids[i],
                    None if a is None else mentor_ids[a],
                    None if b is None else mentor_ids[b],
                    reason(i, a, b),
                    score(i, a),
                    score(i, b),
                )
            )
    return tuple(moves)


def pairs_array(pairs: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols) int64 arrays of index pairs."""
    if not pairs:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    rows, cols = np.array(pairs, np.int64).T
    return rows, cols
