"""The stable objective with minimum loads or department caps: stable if possible, else
the matching meeting those rules with the fewest blocking pairs.

Minimum loads and department caps can rule out every stable matching (with strict
preferences every stable matching gives each mentor the same load, so a mentor whom
deferred acceptance leaves short is short in all of them). :func:`solve_stable_loads`:

1. runs deferred acceptance (:func:`matcher.solvers.stable.solve_stable`); when its
   stable matching meets the rules, that is the answer (0 blocking pairs);
2. otherwise solves the exact flow with the rules (:mod:`matcher.solvers.bounded_flow`):
   if they conflict, the result is INFEASIBLE with the conflicts, as for any objective;
3. then, up to :data:`EXACT_PAIR_LIMIT` usable pairs, a CP-SAT model (imported only here)
   finds a matching meeting the rules with the fewest blocking pairs, warm started from
   the flow's matching, and, among those, the most places and highest total score. Its
   status and its bound on the number of blocking pairs are reported: OPTIMAL proves
   the count is the fewest possible (0: a stable matching meets the rules).
   Above the limit the flow's matching is returned with its count, not proven fewest.

Blocking pairs are those of :func:`matcher.solvers.preferences.blocking_pairs`. The model
counts them exactly: pair (i, j) does not block when it is matched, or mentee ``i`` is
full with partners it ranks above ``j`` (pinned partners count as above: they cannot be
given up), or mentor ``j`` is full with mentees it ranks above ``i``. "Full with partners
ranked above" is a prefix sum along each person's preference list, one integer per step.
"""

from __future__ import annotations

import time

import numpy as np

from matcher.encode.instance import Instance, Solution
from matcher.model import Policy
from matcher.results import Status
from matcher.solvers import integers
from matcher.solvers.preferences import blocking_pairs, pinned_matrix, preference_ranks
from matcher.solvers.side_rules import breaks_rules, usable_pairs
from matcher.solvers.stable import solve_stable

EXACT_PAIR_LIMIT = 20_000
"""Most usable pairs for the exact fewest-blocking-pairs model."""


def _full_with_better(model, x: dict, partners: dict, rank, quota, pinned, mentor_side, hint):
    """For each non-pinned pair, the condition "this person is full with partners it ranks
    above the other" (a prefix sum along the person's list, pinned partners first) and
    whether it holds in the ``hint`` matching; the sums are hinted from it too."""
    out = {}
    for p, others in partners.items():

        def key(q, p=p):
            return (q, p) if mentor_side else (p, q)

        fixed = sum(1 for q in others if pinned[key(q)])
        free = sorted((q for q in others if not pinned[key(q)]), key=lambda q: rank[key(q)])
        limit = int(quota[p])
        # s is the number matched among the pinned partners and the first k free ones.
        s, value = model.new_constant(fixed), fixed
        for q in free:
            out[key(q)] = (s >= limit, value >= limit)
            step = model.new_int_var(0, max(limit, fixed), "")
            model.add(step == s + x[key(q)])
            value += key(q) in hint
            model.add_hint(step, min(value, max(limit, fixed)))
            s = step
    return out


def _fewest_blocking(instance: Instance, policy: Policy, usable: np.ndarray, hint):
    """The CP-SAT model and solve; returns (pairs, status name, blocking, bound, notes)."""
    from ortools.sat.python import cp_model  # off the flow path: imported on use only

    mentee_rank, mentor_rank = preference_ranks(instance)
    pinned = pinned_matrix(instance)
    rows, cols = np.nonzero(usable & ~pinned)
    model = cp_model.CpModel()

    # Variables
    # x[i, j] is 1 when mentee i is paired with mentor j (pinned pairs are fixed to 1).
    x = {(i, j): model.new_bool_var("") for i, j in zip(rows.tolist(), cols.tolist(), strict=True)}
    for i, j in zip(*np.nonzero(pinned), strict=True):
        x[int(i), int(j)] = model.new_constant(1)
    by_mentee: dict[int, list[int]] = {}
    by_mentor: dict[int, list[int]] = {}
    for i, j in x:
        by_mentee.setdefault(i, []).append(j)
        by_mentor.setdefault(j, []).append(i)

    # Constraints
    # Capacities on both sides, minimum loads, and at most max_per_group of one group.
    for i, mentors in by_mentee.items():
        model.add(sum(x[i, j] for j in mentors) <= int(instance.wanted[i]))
    groups = instance.mentee_group if instance.max_per_group is not None else None
    for j, mentees in by_mentor.items():
        model.add(sum(x[i, j] for i in mentees) <= int(instance.capacity[j]))
        if groups is not None:
            for code in set(groups[mentees].tolist()) - {-1}:
                same = [x[i, j] for i in mentees if groups[i] == code]
                if len(same) > instance.max_per_group:
                    model.add(sum(same) <= instance.max_per_group)
    for j in np.flatnonzero(np.asarray(instance.min_load) > 0).tolist():
        model.add(sum(x[i, j] for i in by_mentor.get(j, [])) >= int(instance.min_load[j]))
    # Pair (i, j) blocks unless matched, or i is full with better partners, or j is.
    full_e = _full_with_better(
        model, x, by_mentee, mentee_rank, instance.wanted, pinned, False, hint
    )
    full_m = _full_with_better(
        model, x, by_mentor, mentor_rank, instance.capacity, pinned, True, hint
    )
    blocks = {}
    for key in full_e:
        e_full, m_full, block = (model.new_bool_var("") for _ in range(3))
        (e_cond, e_hint), (m_cond, m_hint) = full_e[key], full_m[key]
        model.add(e_cond).only_enforce_if(e_full)
        model.add(m_cond).only_enforce_if(m_full)
        model.add_bool_or([x[key], e_full, m_full, block])
        blocks[key] = block
        # Warm start: the hint matching, with its blocking pairs, as a complete solution.
        model.add_hint(x[key], key in hint)
        model.add_hint(e_full, e_hint)
        model.add_hint(m_full, m_hint)
        model.add_hint(block, not (key in hint or e_hint or m_hint))

    # Objective
    # Fewest blocking pairs first (then, below, most places and highest total score).
    n_blocking = sum(blocks.values())
    model.minimize(n_blocking)

    # Solve
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 0.75 * float(policy.time_limit_seconds)
    solver.parameters.random_seed = int(policy.seed) % 2**31
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, solver.status_name(status), None, None, ()
    fewest = int(round(solver.objective_value))  # an upper bound on the true count
    bound = int(np.ceil(solver.best_objective_bound - 1e-9))
    first_status = solver.status_name(status)
    chosen = {k for k, v in x.items() if solver.boolean_value(v)}
    # Then the most places and the highest total score, keeping the count of blocking pairs.
    model.clear_hints()
    for key, var in x.items():
        if key in blocks:
            model.add_hint(var, key in chosen)
    model.add(n_blocking <= fewest)
    keys = list(x)
    values = integers.to_int(np.array([instance.scores[k] for k in keys]))
    bonus = integers.place_bonus(values, int(min(instance.wanted.sum(), instance.capacity.sum())))
    model.maximize(sum(int(bonus + v) * x[k] for k, v in zip(keys, values.tolist(), strict=True)))
    solver.parameters.max_time_in_seconds = 0.25 * float(policy.time_limit_seconds)
    second = solver.solve(model)
    notes = ()
    if second in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = {k for k, v in x.items() if solver.boolean_value(v)}
        notes = (f"places and score among them: {solver.status_name(second).lower()}",)
    return tuple(sorted(chosen)), first_status, fewest, bound, notes


def solve_stable_loads(instance: Instance, policy: Policy) -> Solution:
    """A stable matching meeting minimum loads and department caps, or the fewest-blocking one.

    Parameters
    ----------
    instance : the problem, with ``min_load`` and/or ``max_per_group``.
    policy : proposer, time limit and seed.

    Returns
    -------
    Solution
        FEASIBLE (stability is the guarantee, not the score; certified False), with notes
        saying whether a stable matching meets the rules and the number of blocking pairs
        (``blocking pairs: N``), CP-SAT's status and its bound when it ran; INFEASIBLE
        with the conflicts when the rules cannot all hold.
    """
    from matcher.solvers.bounded_flow import solve_bounded

    started = time.perf_counter()
    stable = solve_stable(instance, policy)
    if stable.status is Status.INFEASIBLE:
        return stable
    if not breaks_rules(instance, stable.pairs):
        note = "a stable matching meets the minimum loads and department caps"
        notes = (*stable.notes, note, "blocking pairs: 0")
        return Solution(stable.pairs, Status.FEASIBLE, notes=notes, timings=stable.timings)
    flow = solve_bounded(instance, policy)
    if flow.status is Status.INFEASIBLE:
        return flow
    timings = [("deferred acceptance", time.perf_counter() - started)]
    usable = usable_pairs(instance)
    n_usable = int(usable.sum())
    clock = time.perf_counter()
    if n_usable > EXACT_PAIR_LIMIT:
        count = len(blocking_pairs(instance, flow.pairs))
        notes = (
            "no stable matching from deferred acceptance meets the minimum loads and "
            "department caps; the exact search for the fewest blocking pairs takes at most "
            f"{EXACT_PAIR_LIMIT} usable pairs (this cohort has {n_usable}), so this is the "
            "maximum-score matching meeting them, not proven to have the fewest",
            f"blocking pairs: {count}",
        )
        return Solution(flow.pairs, Status.FEASIBLE, notes=notes, timings=tuple(timings))
    hint = set(flow.pairs)
    pairs, status, fewest, bound, extra = _fewest_blocking(instance, policy, usable, hint)
    timings.append(("fewest blocking pairs (cp-sat)", time.perf_counter() - clock))
    if pairs is None:
        pairs, fewest = flow.pairs, len(blocking_pairs(instance, flow.pairs))
        status, bound, extra = f"{status}, kept the flow's matching", 0, ()
    # The model's count only bounds the true one unless proven optimal: count them.
    count = len(blocking_pairs(instance, pairs))
    proven = status == "OPTIMAL"
    if proven and count != fewest:
        raise RuntimeError(f"the model proved {fewest} blocking pairs, the matching has {count}")
    if count == 0:
        verdict = "a stable matching meets the minimum loads and department caps"
    elif proven:
        verdict = (
            "no stable matching meets the minimum loads and department caps; this matching "
            "meets them with the fewest blocking pairs possible"
        )
    else:
        verdict = (
            "deferred acceptance's stable matching breaks the minimum loads or department "
            "caps; this matching meets them with the fewest blocking pairs found, "
            f"and at least {bound} are needed"
        )
    notes = (
        verdict,
        f"blocking pairs: {count}",
        f"cp-sat: {status.lower()}, bound on blocking pairs {bound}",
        *extra,
    )
    return Solution(tuple(pairs), Status.FEASIBLE, notes=notes, timings=tuple(timings))
