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

With ``--baseline DIR`` (a checkout of another commit, e.g. ``git worktree add DIR
BASE``), a second server runs that checkout's code (``PYTHONPATH=DIR``) beside this one,
and each round sends one request to each, in turns (the order swaps every round), with a
``solve()`` after each: both servers are measured under the same load, against the same
``solve()`` of this checkout.

    python benchmarks/sync_match.py                  # 200 rounds
    python benchmarks/sync_match.py --server gunicorn
    python benchmarks/sync_match.py --rounds 100 --baseline /work/wt/base
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import http_load  # noqa: E402
from benchmarks.suites.service import match_body  # noqa: E402
from matcher.io.policy import preset  # noqa: E402
from matcher.solve import solve  # noqa: E402

RESULTS = Path(__file__).with_name("results") / "sync_match.json"


@contextmanager
def _code_of(folder: Path | None):
    """Servers started inside run the code of ``folder`` (None: this checkout's).

    ``python -m`` puts the working directory first on ``sys.path``, ahead of
    ``PYTHONPATH``: the server starts in ``folder`` as well.
    """
    if folder is None:
        yield
        return
    path, cwd = os.environ.get("PYTHONPATH"), Path.cwd()
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(folder), path]))
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(cwd)
        if path is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = path


class Client:
    """One kept-alive connection to a server, posting the same body each time."""

    def __init__(self, server: http_load.Server, body: bytes):
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        self.headers = {"Authorization": f"Bearer {server.key}", "Content-Type": "application/json"}
        self.body = body
        self.ms: list[float] = []

    def post(self) -> tuple[int, bytes]:
        self.connection.request("POST", "/api/v1/match", body=self.body, headers=self.headers)
        response = self.connection.getresponse()
        return response.status, response.read()

    def timed(self) -> None:
        """One request, its wall time recorded; an error status stops the benchmark."""
        started = time.perf_counter()
        status, _ = self.post()
        self.ms.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"/match answered {status}")


def _check(client: Client, pairs: list, name: str) -> None:
    status, answer = client.post()
    got = [[p["mentee_id"], p["mentor_id"]] for p in json.loads(answer).get("pairs", [])]
    if status != 200 or got != pairs:
        raise RuntimeError(f"/match of {name} answered {status} with other pairs than solve()")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--server", default="waitress", choices=("waitress", "gunicorn"))
    parser.add_argument("--baseline", type=Path, help="another checkout, served beside this")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    body, cohort = match_body(args.seed)
    policy = preset("coaching")
    expected = solve(cohort, policy)
    pairs = [[p.mentee_id, p.mentor_id] for p in expected.pairs]
    folders = {"this": None} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    solve_ms = []
    with ExitStack() as stack:
        clients = {}
        for name, folder in folders.items():
            with _code_of(folder):
                server = stack.enter_context(http_load.serving(args.server))
            clients[name] = Client(server, body)
            stack.callback(clients[name].connection.close)
        for _ in range(3):  # warm every side: imports, first-call costs
            for client in clients.values():
                client.post()
            solve(cohort, policy)
        for name, client in clients.items():
            _check(client, pairs, name)
        turns = list(clients.values())
        for _ in range(args.rounds):
            for client in turns:
                client.timed()
                started = time.perf_counter()
                solve(cohort, policy)
                solve_ms.append((time.perf_counter() - started) * 1000)
            turns.reverse()
    alone = statistics.median(solve_ms)
    answer = {
        "measured": time.strftime("%Y-%m-%d %H:%M:%S"),
        "command": "python benchmarks/sync_match.py " + " ".join(argv or sys.argv[1:]),
        "server": args.server,
        "cohort": {"mentees": len(cohort.mentees), "mentors": len(cohort.mentors)},
        "request_bytes": len(body),
        "rounds": args.rounds,
        "solve_median_ms": round(alone, 2),
    }
    for name, client in clients.items():
        request = statistics.median(client.ms)
        p90 = statistics.quantiles(client.ms, n=10)[-1]
        prefix = "" if name == "this" else f"{name}_"
        answer[f"{prefix}request_median_ms"] = round(request, 2)
        answer[f"{prefix}request_p90_ms"] = round(p90, 2)
        answer[f"{prefix}request_over_solve"] = round(request / alone, 3)
        print(
            f"/match {name} ({args.server}, one client, {args.rounds} rounds taking turns): "
            f"request {request:.1f} ms (p90 {p90:.1f}), solve() {alone:.1f} ms (medians), "
            f"ratio {answer[f'{prefix}request_over_solve']}"
        )
    if args.baseline:
        commit = subprocess.run(
            ["git", "-C", str(args.baseline), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        answer["baseline"] = f"{args.baseline} ({commit or 'not a git checkout'})"
        ratio = answer["request_median_ms"] / answer["baseline_request_median_ms"]
        answer["request_over_baseline"] = round(ratio, 3)
        print(f"this request / baseline request (medians): {ratio:.3f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(answer, indent=1) + "\n", encoding="utf-8")
    return answer


if __name__ == "__main__":
    main()
