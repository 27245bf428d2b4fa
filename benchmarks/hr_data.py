"""What the HR-data duties cost: the audit log on writes and reads, and one erasure.

Stores one generated cohort (``--mentees`` x ``--mentors``, ``--seed``) in a fresh
database (an SQLite file unless ``--database-url``), runs ``--runs`` matches of it with
the workers' own code, then times, taking turns (``--requests`` writes and reads each
way, ``--repeat`` erasures):

* ``write``: ``POST /cohorts/{id}/runs`` (queues a run) with the audit log on, and the
  same request with the audit hooks removed (the baseline);
* ``read``: ``GET /cohorts/{id}/participants?per_page=1000`` (an audited read), on and off;
* ``erase``: ``POST /erasures`` of one mentee (a different one each time): rows deleted,
  every finished run of the cohort re-assembled from its remaining pairs, the tables
  scrubbed; beside it the time of one run of the cohort (claim, solve, store), the
  baseline an erasure is compared with.

Results go to stdout and, as JSON, to ``--out``.

    python benchmarks/hr_data.py                              # 2,000 x 400, 3 runs
    python benchmarks/hr_data.py --mentees 500 --mentors 100 --out /tmp/hr.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=2_000)
    parser.add_argument("--mentors", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5, help="erasures timed")
    parser.add_argument("--requests", type=int, default=31, help="writes and reads timed")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--out", type=Path, default=Path("hr_data.json"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        os.environ["MENTORMATCH_INSTANCE_PATH"] = folder
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        results = measure(args, url)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    w, r, e = results["write"], results["read"], results["erase"]
    print(
        f"{args.mentees}x{args.mentors}, {args.runs} runs, medians of {args.requests} "
        f"requests and {args.repeat} erasures: "
        f"write {w['on_s'] * 1000:.1f} ms audited vs {w['off_s'] * 1000:.1f} ms "
        f"({w['ratio']:.2f}x); read {r['on_s'] * 1000:.1f} ms vs {r['off_s'] * 1000:.1f} ms "
        f"({r['ratio']:.2f}x); erasure {e['erase_s']:.2f} s vs one run {e['run_s']:.2f} s "
        f"({e['ratio']:.2f}x) -> {args.out}"
    )
    return results


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


class AuditSwitch:
    """Removes and restores the audit hooks of an app (session events, read hook)."""

    EVENTS = ("after_flush", "do_orm_execute", "before_commit", "after_commit", "after_rollback")

    def __init__(self, app, sessions):
        from api import audit

        self.app, self.sessions, self.audit = app, sessions, audit
        self.hooks = {
            "after_flush": audit._after_flush,
            "do_orm_execute": audit._bulk,
            "before_commit": audit._before_commit,
            "after_commit": audit._forget,
            "after_rollback": audit._forget,
        }

    def set(self, on: bool) -> None:
        from sqlalchemy import event

        for name, hook in self.hooks.items():
            present = event.contains(self.sessions, name, hook)
            if on and not present:
                event.listen(self.sessions, name, hook)
            elif not on and present:
                event.remove(self.sessions, name, hook)
        funcs = self.app.after_request_funcs.setdefault(None, [])
        if on and self.audit._audit_read not in funcs:
            funcs.append(self.audit._audit_read)
        elif not on and self.audit._audit_read in funcs:
            funcs.remove(self.audit._audit_read)


def measure(args, url: str) -> dict:
    from api import create_app
    from api.db import transaction
    from api.jobs.execute import execute_run
    from api.keys import create_key, organization
    from api.migrate import upgrade
    from api.store import save_cohort
    from matcher.io.generate import generate_cohort

    upgrade(url)
    settings = {"DATABASE_URL": url, "EXECUTOR": "none", "MAX_ACTIVE_RUNS": 10**6}
    app = create_app(settings)
    services = app.extensions["mentormatch"]
    cohort = generate_cohort(args.mentees, args.mentors, args.seed)
    with transaction(services.sessions) as session:
        key, _ = create_key(session, "bench")
        org = organization(session, "bench")
        cohort_id = save_cohort(session, org.id, "bench", "mentoring", cohort).id
    client = app.test_client()
    auth = {"Authorization": f"Bearer {key}"}

    def run_once() -> str:
        made = client.post(f"/api/v1/cohorts/{cohort_id}/runs", json={}, headers=auth)
        assert made.status_code == 202, made.get_json()
        return made.get_json()["id"]

    def solve(run_id: str) -> None:
        outcome = execute_run(services.sessions, run_id, "bench", services.settings)
        assert outcome == "succeeded", outcome

    run_s = [_timed(lambda: solve(run_once())) for _ in range(args.runs)]

    def read() -> None:
        page = client.get(f"/api/v1/cohorts/{cohort_id}/participants?per_page=1000", headers=auth)
        assert page.status_code == 200

    switch = AuditSwitch(app, services.sessions)
    times: dict[str, list[float]] = {
        k: [] for k in ("write_on", "write_off", "read_on", "read_off")
    }
    for _ in range(args.requests):
        for on in (True, False):
            switch.set(on)
            suffix = "on" if on else "off"
            times[f"write_{suffix}"].append(_timed(run_once))
            times[f"read_{suffix}"].append(_timed(read))
    switch.set(True)

    mentees = [m.id for m in cohort.mentees]
    erase_s = []
    for k in range(args.repeat):
        body = {"person_id": mentees[k * len(mentees) // args.repeat]}
        erase_s.append(_timed(lambda b=body: client.post("/api/v1/erasures", json=b, headers=auth)))

    def median(values):
        return statistics.median(values)

    out = {
        "benchmark": "hr_data",
        "mentees": args.mentees,
        "mentors": args.mentors,
        "runs": args.runs,
        "seed": args.seed,
        "repeat": args.repeat,
        "requests": args.requests,
        "database": url.split(":", 1)[0],
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "write": {
            "on_s": median(times["write_on"]),
            "off_s": median(times["write_off"]),
            "ratio": median(times["write_on"]) / median(times["write_off"]),
        },
        "read": {
            "on_s": median(times["read_on"]),
            "off_s": median(times["read_off"]),
            "ratio": median(times["read_on"]) / median(times["read_off"]),
        },
        "erase": {
            "erase_s": median(erase_s),
            "run_s": median(run_s),
            "ratio": median(erase_s) / median(run_s),
        },
        "samples": {**times, "erase": erase_s, "run": run_s},
    }
    services.close()
    return out


if __name__ == "__main__":
    main()
