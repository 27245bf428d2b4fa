"""Personal data: added people's names and emails are never stored or answered back, an
Idempotency-Key's answer goes with its cohort and expires, and on SQLite a deleted cohort
cannot be read back from the database file; the file is 0600 in a 0700 folder."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

import pytest
from api_helpers import execute, make_cohort
from sqlalchemy import func, select, update

from api.tables import IdempotencyRecord, Run, Scenario, utcnow

EMAIL = "ada.lovelace@example.org"
JOINER = {
    "id": "E9",
    "role": "mentee",
    "seniority": 1,
    "skills": "python",
    "Name": "Ada",
    "E-mail": EMAIL,
}


def stored_text(sessions) -> str:
    """Every stored change set, scenario spec and replayable answer, as one string."""
    with sessions() as session:
        values = [
            *session.scalars(select(Run.changes)),
            *session.scalars(select(Scenario.spec)),
            *session.scalars(select(IdempotencyRecord.body)),
        ]
    return repr(values)


def matched(app, client, cohort) -> str:
    run = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    execute(app, run)
    return run


def answers(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(IdempotencyRecord))


def test_people_added_by_a_rematch_or_scenario_keep_only_their_ids(app, client, sessions):
    cohort = make_cohort(client)
    previous = matched(app, client, cohort)
    headers = {"Idempotency-Key": "add-ada"}
    body = {"changes": {"add": [JOINER], "capacity": {"mentors": {"M1": 3}}}}
    response = client.post(f"/api/v1/runs/{previous}/rematch", json=body, headers=headers)
    assert response.status_code == 202, response.get_json()
    run = response.get_json()
    added = {"id": "E9", "role": "mentee", "seniority": 1, "skills": "python"}
    assert run["changes"]["changes"]["add"] == [added]
    scenario = client.post(
        f"/api/v1/cohorts/{cohort}/scenarios",
        json={"scenarios": [{"name": "a joiner", "add": [JOINER]}]},
        headers={"Idempotency-Key": "scenario-ada"},
    )
    assert scenario.status_code == 202, scenario.get_json()
    execute(app, run["id"])  # the stored change set still solves: E9 is matched
    pairs = client.get(f"/api/v1/runs/{run['id']}/assignments").get_json()["items"]
    assert "E9" in {p["mentee_id"] for p in pairs}

    shown = client.get(f"/api/v1/runs/{run['id']}").get_data(as_text=True)
    replayed = client.post(f"/api/v1/runs/{previous}/rematch", json=body, headers=headers)
    assert replayed.headers["Idempotent-Replayed"] == "true"
    for text in (shown, replayed.get_data(as_text=True), stored_text(sessions)):
        assert "E9" in text and EMAIL not in text and "Ada" not in text


def test_deleting_a_cohort_deletes_its_replayable_answers(app, client, other, sessions):
    cohort, kept = make_cohort(client), make_cohort(other)
    headers = {"Idempotency-Key": "spring-1"}
    first = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}, headers=headers)
    other.post(f"/api/v1/cohorts/{kept}/runs", json={}, headers=headers)
    assert first.status_code == 202 and answers(sessions) == 2
    assert client.delete(f"/api/v1/cohorts/{cohort}").status_code == 204
    assert answers(sessions) == 1
    again = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}, headers=headers)
    assert again.status_code == 404 and "Idempotent-Replayed" not in again.headers


def test_answers_expire_after_the_ttl(app, client, sessions):
    app.extensions["mentormatch"].settings["IDEMPOTENCY_TTL_SECONDS"] = 60.0
    cohort = make_cohort(client)
    old = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}, headers={"Idempotency-Key": "a"})
    with sessions.begin() as session:
        session.execute(update(IdempotencyRecord).values(created_at=utcnow() - timedelta(hours=1)))
    client.post(f"/api/v1/cohorts/{cohort}/runs", json={}, headers={"Idempotency-Key": "b"})
    with sessions() as session:
        assert list(session.scalars(select(IdempotencyRecord.key))) == ["b"]
    again = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}, headers={"Idempotency-Key": "a"})
    assert again.status_code == 202 and again.get_json()["id"] != old.get_json()["id"]


def database_bytes(url: str) -> bytes:
    path = Path(url.removeprefix("sqlite:///"))
    files = [path, path.with_name(path.name + "-wal")]
    return b"".join(f.read_bytes() for f in files if f.exists())


def test_a_deleted_cohort_cannot_be_read_in_the_sqlite_file(app, client, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the file layout of SQLite")
    marker = "zq-marker-department"
    people = [
        {
            "id": "M1",
            "role": "mentor",
            "skills": "python",
            "department": marker,
            "capacity": 2,
            "seniority": 5,
        },
        {"id": "E1", "role": "mentee", "skills": "python", "email": EMAIL, "seniority": 1},
    ]
    cohort = make_cohort(client, people)
    previous = matched(app, client, cohort)
    rematch = {"changes": {"add": [JOINER]}}
    client.post(f"/api/v1/runs/{previous}/rematch", json=rematch, headers={"Idempotency-Key": "k"})
    assert marker.encode() in database_bytes(database_url)
    assert client.delete(f"/api/v1/cohorts/{cohort}").status_code == 204
    content = database_bytes(database_url)
    assert marker.encode() not in content and EMAIL.encode() not in content


def test_the_embedded_database_is_private_to_its_owner(tmp_path):
    from api.config import sqlite_url
    from api.migrate import upgrade

    url = sqlite_url(tmp_path / "instance")
    upgrade(url)
    folder, path = tmp_path / "instance", Path(url.removeprefix("sqlite:///"))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if extra.exists():
            assert stat.S_IMODE(extra.stat().st_mode) & 0o077 == 0
