"""The OpenAPI document is the contract: a Python client generated from it with
openapi-python-client drives the service over HTTP on loopback.

The app is served by werkzeug in a thread with its in-process workers, so runs really
execute. The generated models parse every response; a response that does not fit its
documented schema fails here. Generation takes about 2 s (8 s on this loaded machine; the
generator renders ~200 modules), under the 20 s one test may take in the suite. The
non-JSON upload forms (CSV and workbook bodies) are skipped by the generator, which only
warns about them.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import threading
import time

import pytest

pytest.importorskip("openapi_python_client")

PACKAGE = "mentormatch_generated_client"


@pytest.fixture
def served(tmp_path, monkeypatch):
    """(base URL, API key) of the app on a loopback port, with real in-process workers."""
    from werkzeug.serving import make_server

    from api import create_app
    from api.db import transaction
    from api.keys import create_key
    from api.migrate import upgrade

    monkeypatch.setenv("MENTORMATCH_INSTANCE_PATH", str(tmp_path / "instance"))
    url = f"sqlite:///{tmp_path / 'client.db'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "EXECUTOR": "inprocess", "INPROCESS_WORKERS": 1})
    services = app.extensions["mentormatch"]
    with transaction(services.sessions) as session:
        key, _ = create_key(session, "acme")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", key, app
    server.shutdown()
    services.executor.shutdown()
    services.engine.dispose()


@pytest.fixture
def client_package(served, tmp_path, monkeypatch):
    """The client generated from the served /api/v1/openapi.json, imported."""
    import httpx

    base, _, _ = served
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(httpx.get(f"{base}/api/v1/openapi.json").json()))
    out = tmp_path / "gen" / PACKAGE
    command = [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(spec)]
    command += ["--meta", "none", "--output-path", str(out)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    took = time.perf_counter() - started
    assert done.returncode == 0, done.stdout + done.stderr
    # Only the non-JSON upload bodies may be skipped; anything else is a spec problem.
    warned = [line for line in done.stdout.splitlines() if line.startswith("WARNING")]
    assert {w.split(" within ")[0] for w in warned} <= {
        "WARNING parsing POST /api/v1/cohorts",
        "WARNING parsing POST /api/v1/mappings/suggest",
    }, done.stdout
    unsupported = [line for line in done.stdout.splitlines() if "Unsupported" in line]
    assert all("content type" in line and "json" not in line for line in unsupported)
    monkeypatch.syspath_prepend(str(out.parent))
    for name in [m for m in sys.modules if m.startswith(PACKAGE)]:
        del sys.modules[name]
    yield importlib.import_module(PACKAGE), took
    for name in [m for m in sys.modules if m.startswith(PACKAGE)]:
        del sys.modules[name]


def test_a_generated_client_uploads_runs_polls_and_lists(served, client_package):
    base, key, _ = served
    package, took = client_package
    assert took < 60, f"generating the client took {took:.1f} s"
    api = importlib.import_module(f"{PACKAGE}.api")
    models = importlib.import_module(f"{PACKAGE}.models")
    create = importlib.import_module(f"{PACKAGE}.api.cohorts.cohorts_create_cohort")
    start = importlib.import_module(f"{PACKAGE}.api.runs.runs_start")
    get_run = importlib.import_module(f"{PACKAGE}.api.runs.runs_get_run")
    list_runs = importlib.import_module(f"{PACKAGE}.api.runs.runs_list_runs")
    pairs = importlib.import_module(f"{PACKAGE}.api.runs.runs_list_assignments")
    ask = importlib.import_module(f"{PACKAGE}.api.requests.requests_create_request")
    assert api is not None
    client = package.AuthenticatedClient(base_url=base, token=key, raise_on_unexpected_status=True)

    people = [
        {"id": "M1", "role": "mentor", "seniority": 6, "skills": "python; sql", "capacity": 2},
        {"id": "M2", "role": "mentor", "seniority": 5, "skills": "react", "capacity": 1},
        {"id": "E1", "role": "mentee", "seniority": 2, "skills": "python"},
        {"id": "E2", "role": "mentee", "seniority": 2, "skills": "react"},
    ]
    body = models.CohortIn.from_dict(
        {"name": "spring", "program": "coaching", "participants": people}
    )
    cohort = create.sync(client=client, body=body, idempotency_key="client-upload-1")
    assert isinstance(cohort, models.CohortOut), cohort
    assert (cohort.mentors, cohort.mentees, cohort.org_chart_edges) == (2, 2, 0)
    # Every property of the spec has a type, so the client types it (it once had Any here).
    assert models.CohortOut.__annotations__["org_chart_edges"] == "int"

    queued = start.sync(cohort.id, client=client, body=models.PolicyIn.from_dict({}))
    assert isinstance(queued, models.RunOut), queued
    deadline = time.monotonic() + 60
    run = queued
    while run.status.value in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.1)
        run = get_run.sync(queued.id, client=client)
    assert run.status.value == "succeeded", run
    assert run.metrics is not None and run.objective is not None

    page = list_runs.sync(cohort.id, client=client)
    assert isinstance(page, models.RunPage)
    assert [r.id for r in page.items] == [run.id] and page.total == 1

    result = pairs.sync(run.id, client=client)
    assert {(p.mentee_id, p.mentor_id) for p in result.items} == {("E1", "M1"), ("E2", "M2")}

    request = ask.sync(
        cohort.id, client=client, body=models.RequestIn.from_dict({"mentee": "E1", "mentor": "M1"})
    )
    assert isinstance(request, models.RequestOut), request
    assert (request.mentee_id, request.mentor_id, str(request.status)) == ("E1", "M1", "pending")

    client.raise_on_unexpected_status = False
    refused = ask.sync_detailed(
        cohort.id, client=client, body=models.RequestIn.from_dict({"mentee": "E1", "mentor": "M2"})
    )
    assert refused.status_code == 409  # E1 wants one mentor and has asked for one
    assert isinstance(refused.parsed, models.Problem) and refused.parsed.title


def test_every_documented_property_has_a_type(tmp_path, monkeypatch):
    """An untyped property becomes ``Any`` in generated clients (org_chart_edges was one)."""
    from api import create_app

    monkeypatch.setenv("MENTORMATCH_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'spec.db'}", "EXECUTOR": "none"})
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    typed = ("type", "$ref", "allOf", "oneOf", "anyOf")
    untyped = [
        f"{name}.{prop}"
        for name, schema in spec["components"]["schemas"].items()
        for prop, value in (schema.get("properties") or {}).items()
        if not any(k in value for k in typed)
    ]
    assert untyped == []
    app.extensions["mentormatch"].engine.dispose()
