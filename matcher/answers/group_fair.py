"""Exact max-min over groups: the worst group's mean score first, then the total.

Objective ``group-fair`` (``by`` a department, location, seniority band or attribute):
among the matchings with the most places (as every objective here), maximise
``min_g S_g / n_g``, where ``S_g`` is the total integer score (:mod:`matcher.solvers.integers`)
of the pairs of group ``g``'s mentees and ``n_g`` the number of its mentees who want a
mentor; then maximise the total score. It is not a flow, so:

1. **Lagrangian bound.** For weights ``w`` on the groups (summing to 1), the flow with pair
   scores ``s_ij * sum_{g containing i} w_g / n_g`` is solved exactly and its certificate
   (node potentials, :mod:`matcher.answers.certificate`) gives every open pair a reduced
   cost ``rc >= 0``. For any matching ``M`` with the most places,
   ``min_g S_g/n_g <= sum_g w_g S_g/n_g <= UB(w) - sum_{(i,j) in M} rc_ij`` (LP duality of
   the flow; the rounding of the weighted scores is added to ``UB``). So a matching whose
   worst group reaches the best value ``LB`` found so far uses no pair with
   ``rc > UB - LB``: those pairs are dropped, with proof. A few mirror-descent steps on
   ``w`` make the gap small.
2. **CP-SAT on the pairs left** (up to :data:`CPSAT_PAIRS`), imported lazily. Level 1
   bisects on the worst mean: a matching with every ``S_g > mid * n_g`` found raises the
   floor to its own worst mean; INFEASIBLE (proven) lowers the bound to ``mid``. Distinct
   means differ by at least ``1 / D`` (``D`` the product of the two largest group sizes),
   so once the bound is within ``1 / D`` of the floor the floor is the exact max-min.
   Level 2 maximises the total with every group's mean at least that floor. Both must end
   proven; otherwise (time limit, or too many pairs left) the result is FEASIBLE with the
   worst mean found, its bound and the gap in the notes.

The cost against the plain optimum (places, total score, the worst group's mean) is in
the notes. Minimum loads and department caps hold throughout: the flows are the bounded
network's and its certificate gives the reduced costs (through department sub-nodes).
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from fractions import Fraction

import numpy as np

from matcher.answers.certificate import make_certificate
from matcher.encode.instance import Instance, Solution
from matcher.model import Policy
from matcher.results import Status
from matcher.solvers.bounded_flow import bounds_of
from matcher.solvers.candidates import make_pool
from matcher.solvers.dispatch import run_solver
from matcher.solvers.integers import SCALE

ROUNDS = 12  # Lagrangian weight updates at most
CPSAT_PAIRS = 200_000  # pairs left after pruning up to which CP-SAT models them
STEP = 1.0  # first mirror-descent step, in units of the spread of the groups' means


def _rint(values: np.ndarray) -> np.ndarray:
    return np.rint(np.asarray(values, np.float64) * SCALE).astype(np.int64)


def _group_means(groups, sizes, rows, int_scores, n_e) -> np.ndarray:
    """Each group's mean integer score per mentee for pairs (rows, int_scores)."""
    per_mentee = np.bincount(rows, weights=int_scores, minlength=n_e)
    return np.array([per_mentee[g].sum() / n for g, n in zip(groups, sizes, strict=True)])


def _heads(instance: Instance, cert) -> tuple[np.ndarray, np.ndarray]:
    """Each pair's head-potential table (codes + 1, mentors) and each mentee's row: a
    pair ends at its mentor's department sub-node under a cap (codes are the certificate's
    department names, :func:`_codes`), else at the mentor (the last row)."""
    d_m = np.array(cert.mentors, np.int64)
    capped = instance.mentee_group is not None and instance.max_per_group is not None
    if not capped:
        return d_m[None, :], np.zeros(instance.shape[0], np.int64)
    codes = np.asarray(instance.mentee_group, np.int64)
    table = np.tile(d_m, (int(codes.max(initial=-1)) + 2, 1))
    for j, code, potential in cert.departments:
        table[int(code), j] = potential
    return table, codes  # code -1 reads the last row: the mentor's own potential


def _codes(instance: Instance) -> list[str]:
    """Department codes as the certificate's names (group-fair needs only the codes)."""
    if instance.mentee_group is None:
        return []
    return [str(c) for c in range(int(np.max(instance.mentee_group, initial=-1)) + 1)]


def _kept_pairs(pool, cert, weighted: np.ndarray, budget: float) -> tuple:
    """Open pairs whose reduced cost under ``cert`` is within ``budget``; and the count of
    open pairs. Block by block: the 20 million pairs of 10,000 x 2,000 are never listed."""
    rows_all, cols_all, n_open = [], [], 0
    d_e = np.array(cert.mentees, np.int64)
    table, codes = _heads(pool.instance, cert)
    for r0, r1 in pool.row_blocks():
        i, j = np.nonzero(pool.mask(r0, r1))
        i += r0
        n_open += i.size
        rc = -(cert.bonus + _rint(weighted[i, j])) + d_e[i] - table[codes[i], j]
        keep = rc <= budget
        rows_all.append(i[keep])
        cols_all.append(j[keep])
    cat = np.concatenate
    return cat(rows_all).astype(np.int64), cat(cols_all).astype(np.int64), n_open


def _lagrangian(
    instance: Instance, groups, sizes, plain: Solution, notes: list[str], until: float, policy
):
    """The weights with the smallest bound: (kept rows, kept cols, LB, UB, best pairs)."""
    n_e = instance.shape[0]
    pool = make_pool(instance)
    pinned = set(zip(pool.pinned_rows.tolist(), pool.pinned_cols.tolist(), strict=True))
    member = np.zeros((len(groups), n_e))
    for k, g in enumerate(groups):
        member[k, g] = 1.0 / sizes[k]

    def means_of(pairs):
        if not pairs:
            return np.zeros(len(groups))
        r, c = np.array(pairs, np.int64).T
        return _group_means(groups, sizes, r, _rint(instance.scores[r, c]), n_e)

    best_pairs, lb = plain.pairs, float(means_of(plain.pairs).min())
    w = np.array(sizes, np.float64) / sum(sizes)  # first: the overall mean, the plain flow
    best, lowest = None, None
    for round_ in range(1, ROUNDS + 1):
        if round_ > 1 and time.perf_counter() > until:
            notes.append(f"Lagrangian rounds stopped at {round_ - 1}: a third of the time")
            break
        a = w @ member  # each mentee's weight
        norm = 1.0 / float(a.max())
        weighted = instance.scores * (a * norm)[:, None]
        solution = run_solver("flow", replace(instance, scores=weighted), policy)
        cert = make_certificate(
            replace(instance, scores=weighted), solution.pairs, solution.graph, _codes(instance)
        )
        if isinstance(cert, str):  # an uncertified flow (past the dense fallback): no proof
            notes.append(f"Lagrangian round {round_} has no certificate: {cert}")
            break
        free = [p for p in solution.pairs if p not in pinned]
        fr, fc = np.array(free, np.int64).T if free else (np.zeros(0, int), np.zeros(0, int))
        opt_int = int(_rint(weighted[fr, fc]).sum())
        pin_part = sum(float(_rint(instance.scores[i, j])) * a[i] * norm for i, j in pinned)
        # norm * sum_g w_g S_g / n_g <= pin_part + opt_int + free places (two roundings of
        # at most 1/2 per pair: the score's and the weighted score's), so in integer units:
        ub = (pin_part + opt_int + len(free)) / norm
        means = means_of(solution.pairs)
        if means.min() > lb:
            lb, best_pairs = float(means.min()), solution.pairs
        budget = (ub - lb) * norm + 1.0  # one unit of slack for float error
        if best is None or budget < best[0]:
            best = (budget, cert, weighted)
        lowest = ub if lowest is None else min(lowest, ub)
        spread = float(means.max() - means.min())
        if lowest - lb < 1.0 or spread == 0.0:
            break
        w = w * np.exp(-STEP / math.sqrt(round_) * (means - means.min()) / spread)
        w /= w.sum()
    if best is None:  # no certified round: nothing can be ruled out, nothing proven
        return None, None, lb, math.inf, best_pairs
    budget, cert, weighted = best
    rows, cols, n_open = _kept_pairs(pool, cert, weighted, budget)
    notes.append(
        f"Lagrangian bound after {round_} flow(s): worst group mean <= {lowest / SCALE:.6f}, "
        f">= {lb / SCALE:.6f} found; {rows.size} of {n_open} open pairs can be in a "
        "group-fair optimum (reduced cost within the gap)"
    )
    return rows, cols, lb, lowest, best_pairs


def _model(rows, cols, ints, pool, places, groups, pin_g, floors, hint):
    """CP-SAT: the pairs left, places as the plain optimum, every group's S_g >= floors[g]."""
    from ortools.sat.python import cp_model

    # Variables
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x[{k}]") for k in range(rows.size)]
    by_row: dict[int, list] = {}
    by_col: dict[int, list] = {}
    for k, (i, j) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)):
        by_row.setdefault(i, []).append(x[k])
        by_col.setdefault(j, []).append(x[k])

    # Constraints
    # Each mentee takes at most the places left after pinned pairs; each mentor likewise.
    for i, xs in by_row.items():
        model.add(cp_model.LinearExpr.sum(xs) <= int(pool.want_left[i]))
    for j, xs in by_col.items():
        model.add(cp_model.LinearExpr.sum(xs) <= int(pool.cap_left[j]))
    # Side rules: every mentor's minimum load left, at most the department cap left.
    bounds = bounds_of(pool)
    for j in np.flatnonzero(bounds.min_left > 0).tolist():
        model.add(cp_model.LinearExpr.sum(by_col.get(j, [])) >= int(bounds.min_left[j]))
    if bounds.n_codes:
        per: dict[tuple[int, int], list] = {}
        for k, (i, j) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)):
            if bounds.codes[i] >= 0:
                per.setdefault((j, int(bounds.codes[i])), []).append(x[k])
        for (j, code), xs in per.items():
            model.add(cp_model.LinearExpr.sum(xs) <= int(bounds.group_left[j, code]))
    # As many places as the plain optimum: places come first under every objective.
    model.add(cp_model.LinearExpr.sum(x) == places)
    # Every group's total integer score reaches its floor.
    for g, members in enumerate(groups):
        at = np.flatnonzero(np.isin(rows, members)).tolist()
        s_g = cp_model.LinearExpr.weighted_sum([x[k] for k in at], [int(ints[k]) for k in at])
        model.add(s_g >= int(floors[g]) - int(pin_g[g]))
    for k, (i, j) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)):
        model.add_hint(x[k], (i, j) in hint)
    return model, x


def _run(model, x, rows, cols, policy, seconds: float):
    """Solve ``model``; (status name, chosen pairs or None)."""
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, seconds)
    solver.parameters.random_seed = int(policy.seed) % 2**31
    solver.parameters.num_workers = 2
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = {(int(rows[k]), int(cols[k])) for k in range(len(x)) if solver.value(x[k])}
        return solver.status_name(status), chosen, status == cp_model.OPTIMAL
    return solver.status_name(status), None, False


def solve_group_fair(
    instance: Instance, groups: list[np.ndarray], names: list[str], policy: Policy
) -> Solution:
    """The exact group-fair matching (see the module docstring).

    Parameters
    ----------
    instance : the problem by index (minimum loads and a department cap included).
    groups : per group, the indices of its mentees who want a mentor (non-empty).
    names : the groups' names, for the notes.
    policy : time limit (for all CP-SAT calls together) and seed.

    Returns
    -------
    Solution
        OPTIMAL when both levels are proven; FEASIBLE with the worst group's mean, its
        bound and the gap in the notes otherwise. Notes give the cost against the plain
        optimum.

    Raises
    ------
    InfeasibleError
        If pinned pairs cannot all hold (the side rules' conflicts come back as an
        INFEASIBLE solution, as from the flow).
    """
    from ortools.sat.python import cp_model

    clock = time.perf_counter()
    deadline = clock + float(policy.time_limit_seconds)
    notes: list[str] = []
    sizes = [int(g.size) for g in groups]
    plain = run_solver("flow", instance, policy)
    if not groups or plain.status is Status.INFEASIBLE:
        return plain
    until = clock + float(policy.time_limit_seconds) / 3
    rows, cols, lb, ub, best = _lagrangian(instance, groups, sizes, plain, notes, until, policy)
    bounded = rows is not None
    if not bounded:
        rows = cols = np.zeros(0, np.int64)
        notes.append("no weighted flow was certified: no bound, the plain optimum is kept")
    pool = make_pool(instance)
    places = len(plain.pairs) - pool.pinned_rows.size
    ints = _rint(instance.scores[rows, cols])
    pin_g = [
        int(
            _rint(instance.scores[pool.pinned_rows, pool.pinned_cols])[
                np.isin(pool.pinned_rows, g)
            ].sum()
        )
        for g in groups
    ]
    ordered = sorted(sizes, reverse=True)
    resolution = Fraction(1, ordered[0] * (ordered[1] if len(ordered) > 1 else 1))

    def ratio(pairs) -> Fraction:
        per = np.zeros(instance.shape[0], np.int64)
        for i, j in pairs:
            per[i] += int(_rint(instance.scores[i, j]))
        return min(Fraction(int(per[g].sum()), n) for g, n in zip(groups, sizes, strict=True))

    # Level 1: bisect on the worst group's mean; "no matching has every S_g > mid * n_g"
    # (INFEASIBLE) lowers the bound, a matching found raises the floor.
    low = ratio(best)
    high = Fraction(math.floor(ub)) + 1 if bounded else None
    proven, calls = bounded and rows.size <= CPSAT_PAIRS, 0
    if bounded and not proven:
        notes.append(
            f"{rows.size} pairs remain after the proof's pruning, more than {CPSAT_PAIRS} for "
            "CP-SAT: the best matching the Lagrangian rounds found is kept"
        )
    while proven and high - low >= resolution:
        mid = (low + high) / 2
        floors = [math.floor(mid * n) + 1 for n in sizes]
        model, x = _model(rows, cols, ints, pool, places, groups, pin_g, floors, set(best))
        name, chosen, _ = _run(model, x, rows, cols, policy, deadline - time.perf_counter())
        calls += 1
        if chosen is not None:
            best = tuple(sorted(chosen | set(_pinned(pool))))
            low = ratio(best)
        elif name == "INFEASIBLE":
            high = mid
        else:
            proven = False
            break
    notes.append(f"level 1: {calls} CP-SAT call(s) on {rows.size} pairs")
    # Level 2: the total, with every group's mean at least the worst found.
    level2 = False
    if proven:
        floors = [math.ceil(low * n) for n in sizes]
        model, x = _model(rows, cols, ints, pool, places, groups, pin_g, floors, set(best))
        model.maximize(cp_model.LinearExpr.weighted_sum(x, ints.tolist()))
        _, chosen, level2 = _run(model, x, rows, cols, policy, deadline - time.perf_counter())
        if chosen is not None:
            best = tuple(sorted(chosen | set(_pinned(pool))))
    optimal = proven and level2
    unit = lambda value: float(value) / SCALE  # noqa: E731
    if proven:
        notes.append(f"worst group mean proven optimal: {unit(low):.6f}")
    else:
        bound = "none" if high is None else f"{unit(high):.6f} (gap {unit(high - low):.6f})"
        notes.append(
            f"not proven optimal (time limit {policy.time_limit_seconds:g} s, or too many "
            f"pairs for CP-SAT): worst group mean {unit(low):.6f}, bound {bound}"
        )
    if proven and not level2:
        notes.append("the total among the fairest matchings is not proven optimal")
    notes += cost_notes(instance, plain.pairs, best, groups, names, sizes)
    total = float(instance.scores[tuple(np.array(best).T)].sum()) if best else 0.0
    return Solution(
        pairs=best,
        status=Status.OPTIMAL if optimal else Status.FEASIBLE,
        bound=total if optimal else None,
        certified=optimal,
        notes=tuple(notes),
        timings=(("group-fair", time.perf_counter() - clock),),
    )


def _pinned(pool) -> list[tuple[int, int]]:
    return list(zip(pool.pinned_rows.tolist(), pool.pinned_cols.tolist(), strict=True))


def cost_notes(instance, plain, fair, groups, names, sizes) -> list[str]:
    """The group-fair result against the plain optimum, in words."""

    def figures(pairs):
        if not pairs:
            return 0, 0.0, np.zeros(len(groups))
        r, c = np.array(pairs, np.int64).T
        scores = instance.scores[r, c]
        per = np.bincount(r, weights=scores, minlength=instance.shape[0])
        means = np.array([per[g].sum() / n for g, n in zip(groups, sizes, strict=True)])
        return len(pairs), math.fsum(scores.tolist()), means

    p0, t0, m0 = figures(plain)
    p1, t1, m1 = figures(fair)
    worst0, worst1 = int(np.argmin(m0)), int(np.argmin(m1))
    return [
        f"worst group: {names[worst1]} with mean {m1[worst1]:.4f} per mentee (plain optimum: "
        f"{names[worst0]} with {m0[worst0]:.4f})",
        f"cost against the plain optimum: {p0 - p1} place(s), {t0 - t1:.4f} total score "
        f"({p1} places, {t1:.4f} against {p0} places, {t0:.4f})",
    ]
