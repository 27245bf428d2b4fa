"""OR-Library assignment instances: the flow solver reproduces every published optimum."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from orlib import read_optima, read_orlib

from matcher.results import Status
from matcher.solvers.flow import solve_total
from matcher.solvers.integers import to_float, to_int

DATA = Path(__file__).resolve().parents[1] / "data" / "orlib"
OPTIMA = read_optima(DATA / "assignopt.txt")


def exact_total(instance, pairs) -> float:
    """The total score in scaled integer arithmetic (exact for integer costs)."""
    rows, cols = np.array(pairs, np.int64).T
    return to_float(to_int(instance.scores[rows, cols]).sum())


def test_optima_file_lists_the_instances():
    assert OPTIMA["assign100"] == 305 and OPTIMA["assignp800"] == 2239


@pytest.mark.parametrize("name", ["assign100", "assign200", "assign300", "assign400", "assignp800"])
@pytest.mark.parametrize("dense_limit", [0, 10**9], ids=["candidates", "all-pairs"])
def test_published_optimum(name, dense_limit):
    inst = read_orlib(DATA / f"{name}.txt")
    sol = solve_total(inst, dense_limit=dense_limit, fallback_limit=0)
    assert sol.status is Status.OPTIMAL and sol.certified
    assert len(sol.pairs) == inst.shape[0]  # every agent and every task used once
    assert exact_total(inst, sol.pairs) == -OPTIMA[name]


def test_candidate_graph_on_assign400():
    inst = read_orlib(DATA / "assign400.txt")
    sol = solve_total(inst, dense_limit=100_000)  # 160,000 pairs: over the limit
    assert sol.certified
    assert exact_total(inst, sol.pairs) == -OPTIMA["assign400"]
    assert sol.notes[0].startswith("candidate graph: ")


def test_sparse_file_marks_missing_pairs_ineligible():
    inst = read_orlib(DATA / "assignp800.txt")
    assert inst.shape == (800, 800)
    assert inst.eligible[0, 0] and inst.scores[0, 0] == -75  # first line: "1 1 75"
    assert not inst.eligible[0, 1]
    assert int(inst.eligible.sum()) == 100057  # one per "i j cost" line, no duplicates
