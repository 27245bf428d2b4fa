"""How fast this machine runs today: two fixed workloads, timed beside every suite.

The machines are shared and their speed drifts from day to day (``solve()`` of the same
200-person cohort took 9.3 ms one day and 18.1 ms two days later, on the same code).
Ratios measured in one run are safe; a figure in seconds only says something beside the
speed of the machine that day. So every suite's JSON carries these two readings under
``machine.host_speed`` and the README prints them next to each table: a plain Python loop
(what reading sheets and writing reasons costs) and a numpy sort (what the solver's array
passes cost). Run alone to see today's speed before quoting a wall time::

    python -m benchmarks.host_speed
"""

from __future__ import annotations

import statistics
import time

import numpy as np

LOOP = 2_000_000  # iterations of the Python loop
SORT = 5_000_000  # float64 values sorted
REPEAT = 3


def _python_loop() -> float:
    started = time.perf_counter()
    total = 0
    for i in range(LOOP):
        total += i * i
    return time.perf_counter() - started


def _numpy_sort(values: np.ndarray) -> float:
    copy = values.copy()
    started = time.perf_counter()
    copy.sort()
    return time.perf_counter() - started


def host_speed(repeat: int = REPEAT) -> dict:
    """Median seconds of ``repeat`` runs of each workload (one in smoke runs).

    Returns
    -------
    dict
        ``python_loop_s`` (a loop of :data:`LOOP` multiply-adds) and ``numpy_sort_s``
        (sorting :data:`SORT` random float64), lower is faster.
    """
    values = np.random.default_rng(0).random(SORT)
    loops = [_python_loop() for _ in range(repeat)]
    sorts = [_numpy_sort(values) for _ in range(repeat)]
    return {
        "python_loop_s": round(statistics.median(loops), 4),
        "numpy_sort_s": round(statistics.median(sorts), 4),
    }


def describe(speed: dict | None, after: dict | None = None) -> str:
    """``"host: Python loop 0.250 s, numpy sort 0.310 s"`` (with ``after``, the readings
    before and after: ``"0.250 then 0.190 s"``), or "" without readings."""
    if not speed:
        return ""
    words = []
    for key, label in (("python_loop_s", "Python loop"), ("numpy_sort_s", "numpy sort")):
        then = f" then {after[key]:.3f}" if after else ""
        words.append(f"{label} {speed[key]:.3f}{then} s")
    return "host: " + ", ".join(words)


if __name__ == "__main__":
    print(describe(host_speed()))
