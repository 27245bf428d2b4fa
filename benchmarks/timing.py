"""Timing shared by the benchmark programs: median wall time of repeated runs."""

import statistics
import time


def median_time(run, repeat: int):
    """Run ``run()`` ``repeat`` times; return (median seconds, the last run's result)."""
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out
