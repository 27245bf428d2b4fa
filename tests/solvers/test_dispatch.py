"""A sparse CP-SAT result is judged against the all-pairs flow optimum."""

import numpy as np

from matcher.encode.instance import Instance, Solution
from matcher.model import Policy
from matcher.results import Status
from matcher.solvers.dispatch import _bound_by_flow, run_solver

SCORES = np.array([[0.9, 0.2], [0.8, 0.5]])


def flow_optimum():
    return Solution(pairs=((0, 0), (1, 1)), status=Status.OPTIMAL, certified=True)


def test_equal_total_at_equal_places_certifies_the_sparse_result():
    instance = Instance.from_matrix(SCORES)
    sparse = Solution(pairs=((0, 0), (1, 1)), status=Status.OPTIMAL)
    status, bound, certified, _ = _bound_by_flow(instance, flow_optimum(), sparse)
    assert (status, certified) == (Status.OPTIMAL, True)
    assert bound == 1.4


def test_a_costlier_side_rule_leaves_the_flow_total_as_bound():
    instance = Instance.from_matrix(SCORES)
    sparse = Solution(pairs=((0, 1), (1, 0)), status=Status.OPTIMAL)
    status, bound, certified, notes = _bound_by_flow(instance, flow_optimum(), sparse)
    assert (status, bound, certified) == (Status.FEASIBLE, 1.4, False)
    assert "bound over all pairs" in notes[0]


def test_fewer_places_than_the_flow_gives_no_bound():
    instance = Instance.from_matrix(SCORES)
    sparse = Solution(pairs=((0, 0),), status=Status.OPTIMAL)
    status, bound, certified, _ = _bound_by_flow(instance, flow_optimum(), sparse)
    assert (status, bound, certified) == (Status.FEASIBLE, None, False)


def test_cpsat_with_a_minimum_load_is_certified_on_a_small_instance():
    # Mentor 1 must take one mentee: the flow optimum (0->0, 1->1) already does.
    instance = Instance.from_matrix(SCORES, min_load=np.array([0, 1]))
    solution = run_solver("cpsat", instance, Policy(time_limit_seconds=5))
    assert solution.pairs == ((0, 0), (1, 1))
    assert (solution.status, solution.certified) == (Status.OPTIMAL, True)
