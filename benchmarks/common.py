"""What every benchmark suite shares: cohorts, instances, checking, subprocesses.

Suites build their cohorts and instances here so that ours and every baseline see the
same data (:func:`bench_cohort`, :func:`prepared`, the one place the benchmarks reach into
the core's encoding); turn any solver's index pairs into a checked
:class:`matcher.results.MatchResult` (:func:`checked_result` fails loudly when
:func:`matcher.checker.check` finds anything); and run a task in a fresh Python process
with a time cap (:func:`isolated`), so that peak memory is per task and a slow baseline
cannot stall the run; the service suite's servers and worker run in the background
(:func:`background`, :func:`service_env`). Timing and memory readings live in
:mod:`benchmarks.timing`.
"""

from __future__ import annotations

import json
import math
import os
import platform
import signal
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import replace
from importlib import metadata
from pathlib import Path

import numpy as np

from benchmarks.host_speed import REPEAT, host_speed
from benchmarks.timing import timed
from matcher.checker import check
from matcher.encode.instance import Instance, Solution
from matcher.encode.prepare import Prepared, prepare
from matcher.io.generate import generate_cohort
from matcher.model import Cohort
from matcher.result.assemble import assemble
from matcher.results import MatchResult, Status

ROOT = Path(__file__).resolve().parents[1]  # the checkout: workers import benchmarks from it
MARK = "@@RESULT@@"  # the line of a worker's stdout that carries its JSON answer
# The ``mentormatch`` command of this interpreter, whether or not its bin/ is on PATH.
CLI = (sys.executable, "-m", "matcher.cli")


class CheckFailed(AssertionError):
    """A solver's output broke the cohort's rules (the checker's list is in the message)."""


def machine(speed_repeat: int = REPEAT) -> dict:
    """Cores, platform, Python and library versions of this machine, and its speed now.

    Parameters
    ----------
    speed_repeat : runs of each host-speed workload (their median is kept).

    Returns
    -------
    dict
        ``cpu_count``, ``platform``, ``python``, ``versions`` (package -> version) and
        ``host_speed`` (:func:`benchmarks.host_speed.host_speed`, read now).
    """
    versions = {}
    for name in ("ortools", "numpy", "scipy", "matching", "matplotlib"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
        "host_speed": host_speed(speed_repeat),
    }


def parse_size(text: str) -> tuple[int, int]:
    """``"10000x2000"`` -> (10000, 2000).

    Raises
    ------
    ValueError
        If the text is not two whole numbers >= 1 joined by ``x``.
    """
    parts = text.lower().split("x")
    if len(parts) != 2 or not all(p.strip().isdigit() and int(p) >= 1 for p in parts):
        raise ValueError(f"size {text!r}: expected MENTEESxMENTORS, e.g. 10000x2000")
    return int(parts[0]), int(parts[1])


def bench_cohort(
    n_mentees: int,
    n_mentors: int,
    seed: int,
    *,
    capacity: int | None = 6,
    min_loads: bool = False,
    single: bool = False,
) -> Cohort:
    """A generated cohort set up for a benchmark.

    Parameters
    ----------
    n_mentees, n_mentors, seed : for :func:`matcher.io.generate.generate_cohort`.
    capacity : every mentor's capacity (None keeps the generated 1-6).
    min_loads : keep the generated minimum loads (5% of mentors; the bounded flow);
        otherwise every ``min_capacity`` is 0 (the plain flow).
    single : every mentee wants exactly one mentor (the generator gives 5% two).

    Returns
    -------
    Cohort
    """
    cohort = generate_cohort(n_mentees, n_mentors, seed)
    mentors = tuple(
        replace(
            m,
            capacity=m.capacity if capacity is None else capacity,
            min_capacity=m.min_capacity if min_loads else 0,
        )
        for m in cohort.mentors
    )
    mentees = tuple(replace(e, capacity=1) for e in cohort.mentees) if single else cohort.mentees
    return replace(cohort, mentors=mentors, mentees=mentees)


def cohort_args(config, size: tuple[int, int]) -> dict:
    """Keyword arguments of a task on a generated cohort: size, seed, program, capacity.

    Parameters
    ----------
    config : the run's :class:`benchmarks.config.Config`.
    size : (mentees, mentors).

    Returns
    -------
    dict
        ``n_mentees``, ``n_mentors``, ``seed``, ``program`` and ``capacity``, for
        :func:`bench_cohort` inside the task's process.
    """
    return {
        "n_mentees": size[0],
        "n_mentors": size[1],
        "seed": config.seed,
        "program": config.program,
        "capacity": config.capacity,
    }


def prepared(cohort: Cohort, policy) -> tuple[Instance, Prepared]:
    """The instance ``solve()`` would build for ``cohort`` under ``policy``, and the rest.

    Returns
    -------
    (Instance, Prepared)
        The score matrix, eligibility, wants and capacities by index, and what
        :func:`checked_result` needs to assemble a result from index pairs.
    """
    prep = prepare(cohort, policy)
    return prep.instance, prep


def total_of(instance, pairs) -> tuple[int, float]:
    """(matched places, float total score) of index ``pairs`` on ``instance``."""
    if len(pairs) == 0:
        return 0, 0.0
    rows, cols = np.asarray(pairs, dtype=np.int64).reshape(-1, 2).T
    return int(rows.size), math.fsum(instance.scores[rows, cols].tolist())


def checked_result(
    cohort, policy, instance, prep, pairs, name: str, status=Status.FEASIBLE
) -> MatchResult:
    """Assemble index ``pairs`` into a MatchResult and run the independent checker on it.

    Parameters
    ----------
    cohort, policy : what was matched.
    instance, prep : from :func:`prepared` (``policy`` may differ in its objective).
    pairs : (mentee index, mentor index) pairs from any solver.
    name : the solver's name, for the result and the error.
    status : the status to give the result (baselines claim no bound).

    Returns
    -------
    MatchResult

    Raises
    ------
    CheckFailed
        If :func:`matcher.checker.check` reports anything (the first five violations shown).
    """
    unique = tuple(sorted({(int(i), int(j)) for i, j in pairs}))
    if len(unique) != len(pairs):
        raise CheckFailed(f"{name}: {len(pairs) - len(unique)} duplicate pairs in its output")
    result = assemble(replace(prep, policy=policy), Solution(unique, status), name)
    require_valid(cohort, policy, result, name)
    return result


def require_valid(cohort, policy, result: MatchResult, name: str) -> None:
    """Raise :class:`CheckFailed` unless ``check(cohort, policy, result)`` is empty."""
    problems = check(cohort, policy, result)
    if problems:
        shown = "; ".join(problems[:5])
        raise CheckFailed(f"{name}: checker found {len(problems)} violation(s): {shown}")


def isolated(task: str, kwargs: dict, timeout: float) -> dict:
    """Run ``benchmarks.worker`` task ``task`` in a fresh Python process.

    Parameters
    ----------
    task : a name in :data:`benchmarks.worker.TASKS`.
    kwargs : JSON-serialisable keyword arguments for it.
    timeout : seconds before the process is killed.

    Returns
    -------
    dict
        The task's answer plus ``wall_s`` and ``peak_rss_mib`` of the process, or
        ``{"error": ..., "timed_out": bool}`` when it failed or ran out of time.
    """
    command = [sys.executable, "-m", "benchmarks.worker", task, json.dumps(kwargs)]
    try:
        timing, done = timed(
            lambda: subprocess.run(
                command, cwd=ROOT, capture_output=True, text=True, timeout=timeout
            )
        )
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after the {timeout:g} s cap", "timed_out": True}
    wall = round(timing.median_s, 3)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(MARK):
            answer = json.loads(line[len(MARK) :])
            answer["wall_s"] = wall
            return answer
    tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
    return {"error": " | ".join(tail) or f"exit code {done.returncode}", "timed_out": False}


def in_worker(task: str, kwargs: dict, timeout: float, label: str, describe) -> dict:
    """:func:`isolated`, then one progress line: ``label: describe(answer)`` or the failure.

    Parameters
    ----------
    task, kwargs, timeout : for :func:`isolated`.
    label : what was measured, e.g. ``"scale 200x40"``.
    describe : answer -> a short summary, called only when the task did not fail.

    Returns
    -------
    dict
        The task's answer, as :func:`isolated` returns it.
    """
    answer = isolated(task, kwargs, timeout)
    said = f"FAILED: {answer['error']}" if "error" in answer else describe(answer)
    print(f"  {label}: {said}", flush=True)
    return answer


def service_env(**settings: str) -> dict:
    """This process's environment without its ``MENTORMATCH_*`` and ``DATABASE_URL``, plus
    ``settings``: a server or worker under test configured by the benchmark alone."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTORMATCH_")}
    env.pop("DATABASE_URL", None)
    return env | settings


@contextmanager
def background(command: list[str], env: dict, log: Path, stop_within: float = 30.0):
    """Run ``command`` in its own process group, output to ``log``; stop the group after.

    Parameters
    ----------
    command, env : what to run, and its environment (see :func:`service_env`).
    log : file for its stdout and stderr.
    stop_within : seconds between SIGTERM and SIGKILL when stopping.

    Yields
    ------
    subprocess.Popen
    """
    process = subprocess.Popen(
        command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(stop_within)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
