"""The process a benchmark task runs in: ``python -m benchmarks.worker TASK JSON_KWARGS``.

Prints the task's JSON answer (with the process's peak RSS) on one line starting with
:data:`benchmarks.common.MARK`; an exception ends the process with a traceback on stderr.
"""

from __future__ import annotations

import json
import sys

from benchmarks.common import MARK
from benchmarks.timing import peak_rss_mib


def _tasks() -> dict:
    from benchmarks import cli_output
    from benchmarks.suites import baselines, fairness, orlib, rematch, scale, stable

    return {
        "scale": scale.task,
        "baseline": baselines.task,
        "fairness": fairness.task,
        "side_rules": fairness.side_task,
        "stable_ours": stable.task_ours,
        "stable_package": stable.task_package,
        "stable_python": stable.task_python,
        "orlib": orlib.task,
        "rematch": rematch.task,
        "match_output": cli_output.task,
    }


def main(argv: list[str]) -> int:
    """Run one task; see the module docstring."""
    name, kwargs = argv[0], json.loads(argv[1])
    answer = _tasks()[name](**kwargs)
    answer.setdefault("peak_rss_mib", peak_rss_mib())
    print(MARK + json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
