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
2. **CP-SAT on the pairs left**, imported lazily: maximise an integer ``z`` with
   ``n_g z <= D S_g`` for every group (``D`` the product of the two largest group sizes, so
   ``floor(D * ratio)`` tells distinct ratios apart and the max-min is exact), then, with
   ``z`` fixed, the total. Both levels must end OPTIMAL; otherwise the result is FEASIBLE
   with the bound and gap in its notes.

The cost against the plain optimum (places, total score, the worst group's mean) is in
the notes. Minimum loads and department caps are refused (the bound needs the plain flow).
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np

from matcher.answers.certificate import make_certificate
from matcher.encode.instance import Instance, Solution
from matcher.model import InputError, Policy, Problem
from matcher.results import Status
from matcher.solvers.candidates import make_pool
from matcher.solvers.flow import solve_total
from matcher.solvers.integers import SCALE
from matcher.solvers.side_rules import has_side_rules

ROUNDS = 8  # Lagrangian weight updates at most
STEP = 4.0  # mirror-descent step, in units of the spread of the groups' means
_SAFE = 2**62


def _rint(values: np.ndarray) -> np.ndarray:
    return np.rint(np.asarray(values, np.float64) * SCALE).astype(np.int64)


def _group_means(groups, sizes, rows, int_scores, n_e) -> np.ndarray:
    """Each group's mean integer score per mentee for pairs (rows, int_scores)."""
    per_mentee = np.bincount(rows, weights=int_scores, minlength=n_e)
    return np.array([per_mentee[g].sum() / n for g, n in zip(groups, sizes, strict=True)])


def _reduced_costs(instance: Instance, pool, cert, weighted: np.ndarray) -> tuple:
    """Open pairs (rows, cols) and their reduced costs under the certificate."""
    rows_all, cols_all, rc_all = [], [], []
    d_e = np.array(cert.mentees, np.int64)
    d_m = np.array(cert.mentors, np.int64)
    for r0, r1 in pool.row_blocks():
        i, j = np.nonzero(pool.mask(r0, r1))
        i += r0
        rc = -(cert.bonus + _rint(weighted[i, j])) + d_e[i] - d_m[j]
        rows_all.append(i)
        cols_all.append(j)
        rc_all.append(rc)
    cat = np.concatenate
    return cat(rows_all).astype(np.int64), cat(cols_all).astype(np.int64), cat(rc_all)


def _lagrangian(instance: Instance, groups, sizes, plain: Solution, notes: list[str]):
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
    w = np.full(len(groups), 1.0 / len(groups))
    best = None
    for round_ in range(1, ROUNDS + 1):
        a = w @ member  # each mentee's weight
        norm = 1.0 / float(a.max())
        weighted = instance.scores * (a * norm)[:, None]
        solution = solve_total(replace(instance, scores=weighted))
        cert = make_certificate(replace(instance, scores=weighted), solution.pairs, solution.graph)
        if isinstance(cert, str):  # the flow above is certified, so this does not happen
            raise RuntimeError(f"group-fair: the weighted flow has no certificate ({cert})")
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
            best = (budget, cert, weighted, ub)
        notes.append(
            f"Lagrangian round {round_}: worst group mean <= {ub / SCALE:.6f}, "
            f">= {lb / SCALE:.6f} found"
        )
        spread = float(means.max() - means.min())
        if ub - lb < 1.0 or spread == 0.0:
            break
        w = w * np.exp(-STEP * (means - means.min()) / spread)
        w /= w.sum()
    budget, cert, weighted, ub = best
    rows, cols, rc = _reduced_costs(instance, pool, cert, weighted)
    keep = rc <= budget
    notes.append(
        f"pairs that can be in a group-fair optimum (reduced cost within the gap): "
        f"{int(keep.sum())} of {rows.size} open pairs"
    )
    return rows[keep], cols[keep], lb, ub, best_pairs


def solve_group_fair(
    instance: Instance, groups: list[np.ndarray], names: list[str], policy: Policy
) -> Solution:
    """The exact group-fair matching (see the module docstring).

    Parameters
    ----------
    instance : the problem by index (no minimum loads or department cap).
    groups : per group, the indices of its mentees who want a mentor (non-empty).
    names : the groups' names, for the notes.
    policy : time limit and seed for CP-SAT.

    Returns
    -------
    Solution
        OPTIMAL when both CP-SAT levels are proven; FEASIBLE with the bound and the gap of
        the first level otherwise. Notes give the cost against the plain optimum.

    Raises
    ------
    InputError
        With minimum loads or a department cap, or when the numbers are too large for
        exact 64-bit arithmetic.
    InfeasibleError
        If pinned pairs cannot all hold.
    """
    from ortools.sat.python import cp_model

    clock = time.perf_counter()
    if has_side_rules(instance):
        raise InputError(
            [
                Problem(
                    "the group-fair objective does not take minimum loads or max_per_department",
                    column="solver.objective",
                    value="group-fair",
                    source="policy",
                )
            ],
            title="the policy asks for a solver that cannot apply it",
        )
    notes: list[str] = []
    sizes = [int(g.size) for g in groups]
    plain = solve_total(instance)
    rows, cols, lb, ub, start = _lagrangian(instance, groups, sizes, plain, notes)
    pool = make_pool(instance)
    places = len(plain.pairs) - pool.pinned_rows.size
    ints = _rint(instance.scores[rows, cols])
    ordered = sorted(sizes, reverse=True)
    scale_d = ordered[0] * (ordered[1] if len(ordered) > 1 else 1)
    top = int(np.abs(ints).max(initial=1)) * max(1, places + pool.pinned_rows.size)
    if scale_d * top * max(sizes) >= _SAFE:
        problem = Problem(
            f"groups of up to {ordered[0]} mentees with {places} places are too large for "
            "exact 64-bit max-min arithmetic",
            column="solver.by",
            source="policy",
        )
        raise InputError([problem], title="mentormatch cannot solve group-fair exactly here")
    pin_scores = np.bincount(
        pool.pinned_rows,
        weights=_rint(instance.scores[pool.pinned_rows, pool.pinned_cols]),
        minlength=instance.shape[0],
    )

    # Variables
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x[{k}]") for k in range(rows.size)]
    z_top = scale_d * int(np.abs(ints).max(initial=1)) * int(instance.wanted.max(initial=1))
    z = model.new_int_var(-z_top, z_top, "z")
    by_row: dict[int, list[int]] = {}
    by_col: dict[int, list[int]] = {}
    for k, (i, j) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)):
        by_row.setdefault(i, []).append(k)
        by_col.setdefault(j, []).append(k)

    # Constraints
    # Each mentee takes at most the places left after pinned pairs; each mentor likewise.
    for i, ks in by_row.items():
        model.add(cp_model.LinearExpr.sum([x[k] for k in ks]) <= int(pool.want_left[i]))
    for j, ks in by_col.items():
        model.add(cp_model.LinearExpr.sum([x[k] for k in ks]) <= int(pool.cap_left[j]))
    # As many places as the plain optimum: places come first under every objective.
    model.add(cp_model.LinearExpr.sum(x) == places)
    # z / D is at most every group's mean integer score.
    for g, n in zip(groups, sizes, strict=True):
        at = np.flatnonzero(np.isin(rows, g)).tolist()
        s_g = cp_model.LinearExpr.weighted_sum([x[k] for k in at], [int(ints[k]) for k in at])
        model.add(n * z <= scale_d * s_g + scale_d * int(pin_scores[g].sum()))
    start_set = set(start)
    for k, (i, j) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)):
        model.add_hint(x[k], (i, j) in start_set)

    # Objective: first the worst group's mean, then the total with z held.
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(policy.time_limit_seconds)
    solver.parameters.random_seed = int(policy.seed) % 2**31
    solver.parameters.num_workers = 2
    model.maximize(z)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError(f"group-fair CP-SAT ended {solver.status_name(status)}")
    first_optimal = status == cp_model.OPTIMAL
    z_found, z_bound = int(solver.value(z)), solver.best_objective_bound
    if first_optimal:
        model.clear_hints()
        for k in range(len(x)):
            model.add_hint(x[k], bool(solver.value(x[k])))
        model.add(z >= z_found)
        model.maximize(cp_model.LinearExpr.weighted_sum(x, ints.tolist()))
        status = solver.solve(model)
    optimal = first_optimal and status == cp_model.OPTIMAL
    chosen = [(int(rows[k]), int(cols[k])) for k in range(len(x)) if solver.value(x[k])]
    pinned = list(zip(pool.pinned_rows.tolist(), pool.pinned_cols.tolist(), strict=True))
    pairs = tuple(sorted(set(chosen) | set(pinned)))
    if first_optimal:
        notes.append(f"worst group mean proven: {z_found / scale_d / SCALE:.6f}")
    else:
        gap = (z_bound - z_found) / scale_d / SCALE
        notes.append(
            f"not proven within {policy.time_limit_seconds:g} s: worst group mean "
            f"{z_found / scale_d / SCALE:.6f}, bound {z_bound / scale_d / SCALE:.6f} "
            f"(gap {gap:.6f})"
        )
    notes += cost_notes(instance, plain.pairs, pairs, groups, names, sizes)
    total = float(instance.scores[tuple(np.array(pairs).T)].sum()) if pairs else 0.0
    return Solution(
        pairs=pairs,
        status=Status.OPTIMAL if optimal else Status.FEASIBLE,
        bound=total if optimal else None,
        certified=optimal,
        notes=tuple(notes),
        timings=(("group-fair", time.perf_counter() - clock),),
    )


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
