"""The one timer and the one peak-memory reading every benchmark suite uses.

:func:`timed` runs a callable up to ``repeat`` times and keeps every run's wall time and
CPU time (of this process, all its threads); suites report the median. A run slower than
``slow_after`` seconds ends the repeats, so a slow baseline costs one run, not
``repeat``. :func:`side_by_side` times several callables taking turns, so a busy moment
of a shared machine hits each of them alike. :func:`peak_rss_mib` reads this process's
peak resident memory; a suite that wants one figure per task runs the task in its own
process (:func:`benchmarks.common.isolated` adds the figure to the task's answer).
:func:`run_process` runs a command as a user would and reads that one process's peak
resident memory and CPU time (through GNU ``time``); time it with :func:`timed`.
"""

from __future__ import annotations

import math
import os
import re
import resource
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TIME = Path("/usr/bin/time")  # GNU time: a child's own peak RSS (see run_process)


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
    """Peak resident memory of this process so far, in MiB.

    Read from ``VmHWM`` in ``/proc/self/status``, the high-water mark of this program's
    own memory since it started. ``ru_maxrss`` (the fallback off Linux) starts at the RSS
    of the process that forked this one, so a small worker started by a large driver
    would report the driver's size.
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        status = ""
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    if found:
        return round(int(found.group(1)) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@dataclass(frozen=True)
class ProcessRun:
    """What the kernel says about one finished process.

    Attributes
    ----------
    returncode : exit code (negative: killed by that signal).
    peak_rss_mib : its peak resident memory, its own (None without ``/usr/bin/time``).
    cpu_s : its user + system CPU seconds (None without ``/usr/bin/time``).
    timed_out : whether it was killed for running past the timeout.
    """

    returncode: int
    peak_rss_mib: float | None
    cpu_s: float | None
    timed_out: bool


def user_env() -> dict:
    """This process's environment as a user's shell would have it for a command.

    Without ``PYTHONDONTWRITEBYTECODE`` (set on some development machines, this one
    included): with it, every run compiles our modules from source again (0.55 against
    0.38 s for ``match`` on the coaching sample here), which no installed copy does.
    """
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_process(command: list[str], *, cwd, stdout, stderr, timeout: float) -> ProcessRun:
    """Run ``command`` to its end and read its own peak RSS and CPU time.

    The command runs under GNU ``/usr/bin/time``: Linux starts a process's ``ru_maxrss``
    at the RSS of the process that forked it, so ``wait4`` from this (large) process
    would report at least our own size; ``time`` is small and reports its child's. Its
    environment is :func:`user_env`.

    Parameters
    ----------
    command : the program and its arguments.
    cwd : its working folder.
    stdout, stderr : open files (or ``subprocess.DEVNULL``) for its output.
    timeout : seconds before it (its whole process group) is killed.

    Returns
    -------
    ProcessRun
    """
    with tempfile.TemporaryDirectory() as folder:
        usage = Path(folder) / "usage"
        wrapped = list(command)
        if TIME.exists():
            wrapped = [str(TIME), "-f", "%M %U %S", "-o", str(usage), *command]
        process = subprocess.Popen(
            wrapped, cwd=cwd, stdout=stdout, stderr=stderr, env=user_env(), start_new_session=True
        )
        try:
            process.wait(timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            timed_out = True
        figures = usage.read_text().split() if usage.exists() else []
    rss = cpu = None
    if len(figures) >= 3:  # "Command exited with non-zero status N" may come first
        kib, user, system = figures[-3:]
        rss, cpu = round(int(kib) / 1024, 1), round(float(user) + float(system), 3)
    return ProcessRun(process.returncode, rss, cpu, timed_out)
