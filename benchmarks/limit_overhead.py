"""What rate limiting costs a request: GET /api/v1/cohorts through the Flask test client
with limits off and on (in-process counters, memory://), in alternating rounds in one
process.

    python -m benchmarks.limit_overhead [--requests 300] [--rounds 3]

Writes ``benchmarks/results/limit_overhead.json``: per variant the median latency of each
round and the median of those, and the ratio to "off".
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
from pathlib import Path

VARIANTS = {"off": {"RATE_LIMITS": 0}, "on": {"RATE_LIMITS": 1}}


def round_ms(url: str, settings: dict, requests: int) -> float:
    """Median ms of ``requests`` GETs on a fresh app with ``settings``."""
    from api import create_app
    from api.db import transaction
    from api.keys import create_key

    app = create_app({"DATABASE_URL": url, "EXECUTOR": "none", **settings})
    with transaction(app.extensions["mentormatch"].sessions) as session:
        key, _ = create_key(session, "bench")
    client, headers = app.test_client(), {"Authorization": f"Bearer {key}"}
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        assert client.get("/api/v1/cohorts", headers=headers).status_code == 200
        times.append(time.perf_counter() - start)
    app.extensions["mentormatch"].close()
    return statistics.median(times) * 1000


def main(argv=None) -> int:
    import os

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/limit_overhead.json"))
    args = parser.parse_args(argv)
    logging.getLogger("mentormatch.requests").disabled = True
    folder = Path(tempfile.mkdtemp(prefix="mm-limits-"))
    os.environ["MENTORMATCH_INSTANCE_PATH"] = str(folder)
    from api.migrate import upgrade

    url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    rounds = {name: [] for name in VARIANTS}
    for _ in range(args.rounds):
        for name, settings in VARIANTS.items():
            rounds[name].append(round(round_ms(url, settings, args.requests), 2))
    medians = {name: statistics.median(values) for name, values in rounds.items()}
    result = {
        "command": f"python -m benchmarks.limit_overhead --requests {args.requests} "
        f"--rounds {args.rounds}",
        "route": "GET /api/v1/cohorts (Flask test client, SQLite)",
        "round_medians_ms": rounds,
        "median_ms": medians,
        "ratio_to_off": {name: round(ms / medians["off"], 3) for name, ms in medians.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["median_ms"]), json.dumps(result["ratio_to_off"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
