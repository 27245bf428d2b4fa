"""OR-Library assignment instances through the bring-your-own-scores path, against scipy.

Each instance becomes a cohort of ``n`` mentors and ``n`` mentees (capacity 1, no other
fields) whose only score is the external score ``-cost`` of every listed pair
(``scores_only``: unlisted pairs never match), and goes through ``solve()`` and the
checker like any coordinator's upload. The minimum cost is ``-objective``; it must equal
the published optimum. scipy's ``linear_sum_assignment`` solves the same cost matrix
(unlisted pairs of the sparse files cost 10**6 there). Times are medians.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

from benchmarks.common import isolated, require_valid
from benchmarks.timing import timed
from matcher.io.policy import preset
from matcher.model import Cohort, ExternalScores, Mentee, Mentor
from matcher.solve import solve

ROOT = Path(__file__).resolve().parents[2]
MISSING_COST = 10**6


def data_folder() -> Path:
    """``/work/shared/data/orlib-assign`` (``../shared`` from the repo), else tests/data/orlib."""
    folder = (ROOT / "../shared/data/orlib-assign").resolve()
    return folder if (folder / "assignopt.txt").is_file() else ROOT / "tests/data/orlib"


def read_costs(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Cost matrix and listed-pair mask of one OR-Library file (dense or ``i j cost``)."""
    numbers = np.array(path.read_text().split(), dtype=np.int64)
    n, rest = int(numbers[0]), numbers[1:]
    if rest.size == n * n:
        return rest.reshape(n, n), np.ones((n, n), bool)
    i, j, cost = rest.reshape(-1, 3).T
    costs = np.full((n, n), MISSING_COST, np.int64)
    listed = np.zeros((n, n), bool)
    costs[i - 1, j - 1], listed[i - 1, j - 1] = cost, True
    return costs, listed


def read_optima(folder: Path) -> dict[str, int]:
    """Published optima from ``assignopt.txt``: instance name -> minimum cost."""
    optima = {}
    for line in (folder / "assignopt.txt").read_text().splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith("assign"):
            optima[parts[0]] = int(float(parts[1]))
    return optima


def cohort_of(costs: np.ndarray, listed: np.ndarray) -> Cohort:
    """A cohort whose external scores are ``-cost`` on the listed pairs."""
    n = costs.shape[0]
    i, j = np.nonzero(listed)
    scores = ExternalScores(i.astype(np.int64), j.astype(np.int64), -costs[i, j].astype(float))
    return Cohort(
        mentors=tuple(Mentor(id=f"M{k + 1}") for k in range(n)),
        mentees=tuple(Mentee(id=f"E{k + 1}") for k in range(n)),
        external_scores=scores,
    )


def task(folder: str, names: list[str], repeat: int) -> dict:
    """Solve the named instances ours and scipy's way (inside a worker process)."""
    folder = Path(folder)
    optima = read_optima(folder)
    policy = replace(preset("coaching"), scores_only=True)
    rows = []
    for name in names:
        costs, listed = read_costs(folder / f"{name}.txt")
        cohort = cohort_of(costs, listed)
        ours_time, result = timed(lambda c=cohort: solve(c, policy), repeat)
        require_valid(cohort, policy, result, f"solve() on {name}")
        stage = sum(s for k, s in result.timings if k in ("candidates", "flow", "certify"))
        scipy_time, (r, c) = timed(lambda c=costs: linear_sum_assignment(c), repeat)
        ours = round(-result.objective)
        rows.append(
            {
                "instance": name,
                "n": int(costs.shape[0]),
                "listed_pairs": int(listed.sum()),
                "optimum": optima[name],
                "ours": ours,
                "scipy": int(costs[r, c].sum()),
                "ours_equals_optimum": ours == optima[name],
                "status": result.status.value,
                "certified": result.certified,
                "solve": ours_time.summary(),
                "solver_stage_s": round(stage, 4),
                "scipy_time": scipy_time.summary(),
                "ours_over_scipy": round(ours_time.median_s / scipy_time.median_s, 3),
                "checker": "passed",
            }
        )
    return {"rows": rows}


def run(config) -> dict:
    """Every listed instance (or ``config.orlib``) in one worker process."""
    folder = data_folder()
    known = [n for n in read_optima(folder) if (folder / f"{n}.txt").is_file()]
    names = [n for n in known if not config.orlib or n in config.orlib]
    answer = isolated(
        "orlib",
        {"folder": str(folder), "names": names, "repeat": config.repeat},
        timeout=config.cap_s,
    )
    for row in answer.get("rows", []):
        print(
            f"  orlib {row['instance']}: {row['ours']} vs optimum {row['optimum']}, "
            f"{row['solve']['median_s']} s vs scipy {row['scipy_time']['median_s']} s",
            flush=True,
        )
    if "error" in answer:
        print(f"  orlib FAILED: {answer['error']}", flush=True)
    return {
        "folder": str(folder),
        "note": "solve() end to end (build + flow + explain) on external scores -cost; "
        "'solver stage' is candidates + flow + certify of the last run.",
        **answer,
    }
