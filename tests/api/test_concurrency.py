"""20 concurrent clients through a real threaded HTTP server on one SQLite file: every
write succeeds (no "database is locked"), nothing is lost, nothing is doubled."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from api_helpers import small_records
from sqlalchemy import func, select
from werkzeug.serving import make_server

from api.tables import Cohort, Run

CLIENTS = 20


@pytest.fixture
def database_url(tmp_path):
    from api.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'busy.db'}"
    upgrade(url)
    return url


@pytest.fixture
def server(app):
    app.extensions["mentormatch"].settings["MAX_ACTIVE_RUNS"] = 10_000
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(10)


def call(base, key, method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + path,
        data=data,
        method=method,
        headers={
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
            **(headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def session_of_one_client(base, key, n):
    """Create a cohort, start two runs (one twice with an Idempotency-Key), read back."""
    statuses = []
    body = {"name": f"c{n}", "program": "coaching", "participants": small_records()}
    status, cohort = call(base, key, "POST", "/api/v1/cohorts", body)
    statuses.append(status)
    for _ in range(2):
        status, _ = call(
            base,
            key,
            "POST",
            f"/api/v1/cohorts/{cohort['id']}/runs",
            {},
            headers={"Idempotency-Key": f"client-{n}"},
        )
        statuses.append(status)
    status, run = call(base, key, "POST", f"/api/v1/cohorts/{cohort['id']}/runs", {})
    statuses.append(status)
    statuses.append(call(base, key, "GET", f"/api/v1/runs/{run['id']}")[0])
    statuses.append(call(base, key, "GET", "/api/v1/cohorts?per_page=5")[0])
    return statuses


def test_twenty_concurrent_clients_on_sqlite(server, key, sessions):
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(lambda n: session_of_one_client(server, key, n), range(CLIENTS)))
    for statuses in results:
        assert statuses == [201, 202, 202, 202, 200, 200], statuses
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Cohort)) == CLIENTS
        assert session.scalar(select(func.count()).select_from(Run)) == 2 * CLIENTS
