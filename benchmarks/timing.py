"""The one timer and the one peak-memory reading every benchmark suite uses.

:func:`timed` runs a callable up to ``repeat`` times and keeps every run's wall time and
CPU time (of this process, all its threads); suites report the median. A run slower than
``slow_after`` seconds ends the repeats, so a slow baseline costs one run, not
``repeat``. :func:`side_by_side` times several callables taking turns, so a busy moment
of a shared machine hits each of them alike. :func:`peak_rss_mib` reads this process's
peak resident memory; a suite that wants one figure per task runs the task in its own
process (:func:`benchmarks.common.isolated` adds the figure to the task's answer).
"""

from __future__ import annotations

import math
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Timing:
    """Wall and CPU seconds of each run, in order.

    Attributes
    ----------
    seconds : wall time of every run.
    cpu_seconds : CPU time of this process (all threads) during every run.
    """

    seconds: tuple[float, ...]
    cpu_seconds: tuple[float, ...]

    @property
    def median_s(self) -> float:
        """Median wall time (unrounded)."""
        return statistics.median(self.seconds)

    def summary(self) -> dict:
        """``median_s``, ``min_s``, ``cpu_median_s`` (rounded to 0.1 ms) and ``runs``."""
        return {
            "median_s": round(self.median_s, 4),
            "min_s": round(min(self.seconds), 4),
            "cpu_median_s": round(statistics.median(self.cpu_seconds), 4),
            "runs": len(self.seconds),
        }


def timed(run: Callable[[], Any], repeat: int = 1, slow_after: float = math.inf):
    """Run ``run()`` up to ``repeat`` times, timing each run.

    Parameters
    ----------
    run : a callable without arguments.
    repeat : how many runs at most (at least one is made).
    slow_after : stop repeating once a single run took longer than this many seconds.

    Returns
    -------
    (Timing, result)
        The times of the runs made and the last run's result.
    """
    seconds, cpu, out = [], [], None
    for _ in range(max(1, repeat)):
        started, cpu_started = time.perf_counter(), time.process_time()
        out = run()
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        if seconds[-1] > slow_after:
            break
    return Timing(tuple(seconds), tuple(cpu)), out


def side_by_side(runs: dict[str, Callable[[], Any]], repeat: int = 1) -> dict[str, tuple]:
    """:func:`timed` for several callables taking turns, so all see the same machine load.

    Parameters
    ----------
    runs : name -> callable without arguments; each round calls them in this order.
    repeat : rounds (at least one).

    Returns
    -------
    dict
        name -> (Timing, the last run's result).
    """
    seconds = {name: [] for name in runs}
    cpu = {name: [] for name in runs}
    last = {}
    for _ in range(max(1, repeat)):
        for name, run in runs.items():
            timing, last[name] = timed(run)
            seconds[name] += timing.seconds
            cpu[name] += timing.cpu_seconds
    return {name: (Timing(tuple(seconds[name]), tuple(cpu[name])), last[name]) for name in runs}


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
