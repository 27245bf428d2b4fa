"""Helpers of the HTTP tests (a module of its own: ``conftest`` is a name every test
folder uses, so tests cannot import from it reliably)."""

from __future__ import annotations

from pathlib import Path

from api.db import transaction

DATA = Path(__file__).resolve().parents[2] / "data"


class RecordingExecutor:
    """Stands in for the job executor: remembers submitted run ids, runs nothing."""

    def __init__(self):
        self.submitted: list[str] = []

    def submit(self, run_id: str) -> None:
        self.submitted.append(run_id)

    def ready(self) -> tuple[bool, str]:
        return True, "ok"

    def shutdown(self, wait: bool = True) -> None:
        pass


class KeyClient:
    """The Flask test client with ``Authorization: Bearer <key>`` on every request."""

    def __init__(self, client, key):
        self.client, self.key = client, key

    def open(self, *args, headers=None, **kwargs):
        headers = {"Authorization": f"Bearer {self.key}", **(headers or {})}
        return self.client.open(*args, headers=headers, **kwargs)

    def get(self, *a, **k):
        return self.open(*a, method="GET", **k)

    def post(self, *a, **k):
        return self.open(*a, method="POST", **k)

    def delete(self, *a, **k):
        return self.open(*a, method="DELETE", **k)

    def put(self, *a, **k):
        return self.open(*a, method="PUT", **k)


def small_records() -> list[dict]:
    """Two mentors, three mentees, typed JSON records."""
    return [
        {"id": "M1", "role": "mentor", "seniority": 6, "skills": "python:5; sql", "capacity": 2},
        {"id": "M2", "role": "mentor", "seniority": 5, "skills": ["react", "css"], "capacity": 1},
        {"id": "E1", "role": "mentee", "seniority": 2, "skills": "python"},
        {"id": "E2", "role": "mentee", "seniority": 2, "skills": ["react"]},
        {"id": "E3", "role": "mentee", "seniority": 1, "skills": "sql", "name": "Ada L."},
    ]


def make_cohort(client, records=None, program="coaching") -> str:
    body = {"name": "spring", "program": program, "participants": records or small_records()}
    response = client.post("/api/v1/cohorts", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def finish(sessions, run_id: str) -> None:
    """Solve a queued run here and store its result, as a worker would."""
    from api.store import load_cohort, save_result
    from api.tables import Run, RunStatus, utcnow
    from matcher.io.policy import policy_from_dict
    from matcher.solve import solve

    with transaction(sessions) as session:
        run = session.get(Run, run_id)
        result = solve(load_cohort(session, run.cohort_id), policy_from_dict(run.policy))
        save_result(session, run, result)
        run.status, run.attempt = RunStatus.SUCCEEDED.value, 1
        run.started_at = run.finished_at = utcnow()


def sample_cohort(client, sample: bytes) -> str:
    """The coaching sample (40 people) stored through the CSV route; its id."""
    response = client.post(
        "/api/v1/cohorts?name=sample&program=coaching",
        data=sample,
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def execute(app, *run_ids: str) -> None:
    """Run queued runs here with the workers' own code (every kind), in the order given."""
    from api.jobs.execute import execute_run

    services = app.extensions["mentormatch"]
    for run_id in run_ids:
        outcome = execute_run(services.sessions, run_id, "test-worker", services.settings)
        assert outcome == "succeeded", (run_id, outcome)


def count(sessions, model) -> int:
    from sqlalchemy import func, select

    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model))
