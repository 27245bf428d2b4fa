"""Load J.E. Beasley's OR-Library assignment instances as matching Instances (tests only).

Dense files hold ``n`` then the ``n * n`` cost matrix; sparse files hold ``n`` then
``i j cost`` lines (1-based); a pair missing from a sparse file may not be matched.
A cost becomes the score ``-cost``, so the best total score is minus the optimal cost.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from matcher.encode.instance import Instance


def read_orlib(path: str | Path) -> Instance:
    """The instance in an OR-Library assignment file (mentees = agents, mentors = tasks)."""
    numbers = np.array(Path(path).read_text().split(), dtype=np.int64)
    n, rest = int(numbers[0]), numbers[1:]
    if rest.size == n * n:
        return Instance.from_matrix(-rest.reshape(n, n).astype(np.float64))
    i, j, cost = rest.reshape(-1, 3).T
    scores = np.zeros((n, n))
    eligible = np.zeros((n, n), bool)
    scores[i - 1, j - 1] = -cost
    eligible[i - 1, j - 1] = True
    return Instance.from_matrix(scores, eligible=eligible)


def read_optima(path: str | Path) -> dict[str, float]:
    """Published optimal costs by instance name, from ``assignopt.txt``."""
    optima = {}
    for line in Path(path).read_text().splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith("assign"):
            optima[parts[0]] = float(parts[1])
    return optima
