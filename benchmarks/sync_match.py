"""Sync ``POST /api/v1/match`` for one client against ``solve()`` in process, taking turns.

Issue 14's target: a request costs at most 1.5x ``solve()`` on the same 200-person cohort
(160 mentees, 40 mentors, as :mod:`benchmarks.suites.service` builds it: flow path, names
and emails included). Starts ``mentormatch serve``'s server (waitress, as the service
suite does, in a fresh SQLite instance folder with one key), checks that its answer holds
the pairs ``solve()`` finds, then ``--rounds`` times: one request over one kept-alive
loopback connection (wall time from sending to the last byte read), then one ``solve()``
in this process. ``solve()`` starts from the Cohort, the request from JSON bytes: the
difference is what the service adds (HTTP, key lookup, JSON parsing, validating the
records into a Cohort, serialising the result, logging).

    python benchmarks/sync_match.py                  # 200 rounds
    python benchmarks/sync_match.py --server gunicorn
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import http_load  # noqa: E402
from benchmarks.suites.service import match_body  # noqa: E402
from matcher.io.policy import preset  # noqa: E402
from matcher.solve import solve  # noqa: E402

RESULTS = Path(__file__).with_name("results") / "sync_match.json"


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--server", default="waitress", choices=("waitress", "gunicorn"))
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    body, cohort = match_body(args.seed)
    policy = preset("coaching")
    expected = solve(cohort, policy)
    pairs = [[p.mentee_id, p.mentor_id] for p in expected.pairs]
    request_ms, solve_ms = [], []
    with http_load.serving(args.server) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        headers = {"Authorization": f"Bearer {server.key}", "Content-Type": "application/json"}

        def post() -> tuple[int, bytes]:
            connection.request("POST", "/api/v1/match", body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()

        for _ in range(3):  # warm both sides: imports, first-call costs
            status, answer = post()
            solve(cohort, policy)
        got = [[p["mentee_id"], p["mentor_id"]] for p in json.loads(answer).get("pairs", [])]
        if status != 200 or got != pairs:
            raise RuntimeError(f"/match answered {status} with other pairs than solve()")
        for _ in range(args.rounds):
            started = time.perf_counter()
            status, _ = post()
            request_ms.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise RuntimeError(f"/match answered {status}")
            started = time.perf_counter()
            solve(cohort, policy)
            solve_ms.append((time.perf_counter() - started) * 1000)
        connection.close()
    request, alone = statistics.median(request_ms), statistics.median(solve_ms)
    answer = {
        "measured": time.strftime("%Y-%m-%d %H:%M:%S"),
        "command": "python benchmarks/sync_match.py " + " ".join(argv or sys.argv[1:]),
        "server": args.server,
        "cohort": {"mentees": len(cohort.mentees), "mentors": len(cohort.mentors)},
        "request_bytes": len(body),
        "rounds": args.rounds,
        "request_median_ms": round(request, 2),
        "solve_median_ms": round(alone, 2),
        "request_over_solve": round(request / alone, 3),
    }
    print(
        f"/match ({args.server}, one client, {args.rounds} rounds taking turns): "
        f"request {request:.1f} ms, solve() {alone:.1f} ms (medians), "
        f"ratio {answer['request_over_solve']}"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(answer, indent=1) + "\n", encoding="utf-8")
    return answer


if __name__ == "__main__":
    main()
