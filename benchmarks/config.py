"""The settings one benchmark run uses, filled from the command line by :mod:`benchmarks.run`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

FULL_SIZES = ((1_000, 200), (5_000, 1_000), (10_000, 2_000), (50_000, 10_000))
QUICK_SIZES = ((1_000, 200), (5_000, 1_000))
SMOKE_SIZES = ((200, 40),)
GENERATED_SIZES = ((1_000, 200), (10_000, 2_000), (50_000, 10_000))
QUICK_GENERATED_SIZES = ((1_000, 200), (10_000, 2_000))


@dataclass(frozen=True)
class Config:
    """Everything a suite needs to know; the defaults are the full run.

    Attributes
    ----------
    mode : ``"full"``, ``"quick"`` or ``"smoke"`` (tiny sizes, for the test suite).
    out : folder for the ``<suite>.json`` files (and ``scale.png``).
    readme : the README to regenerate, or None to leave every README alone.
    sizes : (mentees, mentors) for the scale and baseline suites.
    generated_sizes : sizes of the generated suite (cohorts as ``generate`` writes them).
    side_size : size for the fairness and side-rule suite.
    stable_sizes : sizes for the stable-matching suite.
    rematch_sizes : sizes for the rematch suite.
    program : the policy preset every generated cohort is matched under.
    repeat, seed : repeats per measurement (medians are reported) and the cohort seed.
    cli_repeat : runs of each command on the coaching sample (generated suite).
    capacity : every mentor's capacity in generated cohorts.
    threads : ``MENTORMATCH_THREADS`` for every task (None: the core's default).
    cap_s : seconds before a baseline's process is stopped.
    stable_cap_s : seconds before the ``matching`` package's process is stopped.
    slow_after_s : a baseline run slower than this is not repeated.
    cpsat_s : time limit of the plain CP-SAT baseline.
    side_s : time limit of the CP-SAT side-rule path (and of the rematch suite's).
    limits : per baseline, the largest problem it is run on (see suites.baselines).
    orlib : OR-Library instance names to run (empty: all listed in assignopt.txt).
    """

    mode: str = "full"
    out: Path = Path(__file__).parent / "results"
    readme: Path | None = Path(__file__).parent / "README.md"
    sizes: tuple[tuple[int, int], ...] = FULL_SIZES
    generated_sizes: tuple[tuple[int, int], ...] = GENERATED_SIZES
    side_size: tuple[int, int] = (2_000, 500)
    stable_sizes: tuple[tuple[int, int], ...] = ((2_000, 500), (10_000, 2_000))
    rematch_sizes: tuple[tuple[int, int], ...] = ((10_000, 2_000),)
    program: str = "coaching"
    repeat: int = 3
    seed: int = 1
    cli_repeat: int = 5
    capacity: int = 6
    threads: int | None = None
    cap_s: float = 420.0
    stable_cap_s: float = 300.0
    slow_after_s: float = 20.0
    cpsat_s: float = 30.0
    side_s: float = 10.0
    limits: dict = field(
        default_factory=lambda: {
            "flow_dense": 25_000_000,  # pairs (about 150 bytes each)
            "lsa": 150_000_000,  # dense cells after replicating mentor columns
            "min_weight_full": 150_000_000,  # sparse edges after replicating mentor columns
            "mcf_dense": 25_000_000,  # pairs
            "greedy": 25_000_000,  # pairs
            "cpsat": 1_200_000,  # pairs (one Boolean each)
        }
    )
    orlib: tuple[str, ...] = ()
