"""How fast the coordinator's review page answers for a stored 10,000 x 2,000 run.

Generates a cohort (``--mentees`` x ``--mentors``, ``--seed``), solves it, stores cohort
(with names, as a web import does) and result in a fresh database (an SQLite file, or
``--database URL``), signs a coordinator in, and requests each review page ``--repeat``
times through the app: the first page of pairs (the number the issue sets at 300 ms),
the same sorted lowest first, a search by name, page 100, the unmatched mentees and the
pictures. The server time of each request is the ``duration_ms`` of its request log line
(from the first hook to the last: routing, database, template); the JSON API's first page
of assignments is timed beside it as the baseline. Results go to stdout and, as JSON, to
``--out``.

    python benchmarks/web_review.py                 # 10,000 x 2,000, SQLite, 15 runs each
    python benchmarks/web_review.py --database postgresql://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import statistics
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).with_name("results") / "web_review.json"
PASSWORD = "benchmark password"


class Durations(logging.Handler):
    """Keeps the ``duration_ms`` of every request log line."""

    def __init__(self):
        super().__init__()
        self.values: list[float] = []

    def emit(self, record):
        line = json.loads(record.getMessage())
        if line.get("event") == "request":
            self.values.append(line["duration_ms"])


def stored_run(sessions, mentees: int, mentors: int, seed: int, program: str):
    """A generated cohort solved and stored as a web import's succeeded run: the run's
    id, an API key of its organization, the solve's seconds and the number of pairs."""
    from api.accounts import create_user
    from api.db import transaction
    from api.keys import create_key, organization
    from api.store import save_cohort, save_result
    from api.tables import Run, RunStatus, utcnow
    from matcher.io.generate import generate_cohort
    from matcher.io.policy import policy_to_dict, preset
    from matcher.solve import solve

    cohort = generate_cohort(mentees, mentors, seed)
    policy = preset(program)
    started = time.perf_counter()
    result = solve(cohort, policy)
    solve_s = time.perf_counter() - started
    with transaction(sessions) as session:
        create_user(session, "bench", "coordinator@example.org", PASSWORD)
        key, _ = create_key(session, "bench")
        org = organization(session, "bench").id
        row = save_cohort(session, org, "big", program, cohort, contacts=True)
        run = Run(organization_id=org, cohort_id=row.id, policy=policy_to_dict(policy))
        session.add(run)
        session.flush()
        save_result(session, run, result)
        run.status, run.attempt, run.finished_at = RunStatus.SUCCEEDED.value, 1, utcnow()
    return run.id, key, solve_s, len(result.pairs)


def measure(client, path: str, repeat: int, durations: Durations, headers=None) -> dict:
    """Median and worst server time (ms) of ``repeat`` requests, after one warm-up."""
    client.get(path, headers=headers)
    durations.values.clear()
    for _ in range(repeat):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
    values = list(durations.values)
    return {
        "path": path.split("?")[1] if "?" in path else path.rsplit("/", 1)[-1],
        "median_ms": round(statistics.median(values), 1),
        "max_ms": round(max(values), 1),
        "bytes": len(response.get_data()),
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=10_000)
    parser.add_argument("--mentors", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--program", choices=("coaching", "mentoring"), default="coaching")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database", help="an empty database URL (default: a temp SQLite)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    import os

    from api import create_app
    from api.migrate import upgrade

    folder = Path(tempfile.mkdtemp(prefix="web-review-"))
    os.environ["MENTORMATCH_INSTANCE_PATH"] = str(folder / "instance")
    url = args.database or f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "EXECUTOR": "none"})
    sessions = app.extensions["mentormatch"].sessions
    run_id, key, solve_s, n_pairs = stored_run(
        sessions, args.mentees, args.mentors, args.seed, args.program
    )

    log = logging.getLogger("mentormatch.requests")
    for handler in list(log.handlers):
        log.removeHandler(handler)
    durations = Durations()
    log.addHandler(durations)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    form = {"csrf_token": token, "email": "coordinator@example.org", "password": PASSWORD}
    assert client.post("/login", data=form).status_code == 303

    base = f"/runs/{run_id}"
    pages = [
        measure(client, base, args.repeat, durations),
        measure(client, f"{base}?sort=-score", args.repeat, durations),
        measure(client, f"{base}?q=e00042", args.repeat, durations),
        measure(client, f"{base}?page=100", args.repeat, durations),
        measure(client, f"{base}/unmatched", args.repeat, durations),
        measure(client, f"{base}/programme", args.repeat, durations),
    ]
    api = measure(
        client,
        f"/api/v1/runs/{run_id}/assignments?per_page=50",
        args.repeat,
        durations,
        headers={"Authorization": f"Bearer {key}"},
    )
    app.extensions["mentormatch"].close()
    report = {
        "benchmark": "web_review",
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "database": url.split(":")[0],
        "mentees": args.mentees,
        "mentors": args.mentors,
        "seed": args.seed,
        "program": args.program,
        "pairs": n_pairs,
        "solve_s": round(solve_s, 2),
        "repeat": args.repeat,
        "pages": pages,
        "baseline_json_api_first_page": api,
        "limit_ms": 300,
    }
    for item in pages + [api]:
        print(
            f"{item['path']:>48}  median {item['median_ms']:7.1f} ms  max {item['max_ms']:7.1f} ms"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    return report


if __name__ == "__main__":
    main()
