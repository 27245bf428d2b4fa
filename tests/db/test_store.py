"""Cohorts and results survive a round trip through both databases; keys authenticate."""

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from api import store, tables
from api.db import make_engine, make_sessions, transaction
from api.keys import authenticate, create_key, organization, revoke_key
from matcher.io.cohort_csv import read_cohort
from matcher.io.generate import generate_cohort
from matcher.io.policy import preset
from matcher.solve import solve


@pytest.fixture
def sessions(database_url):
    engine = make_engine(database_url)
    yield make_sessions(engine)
    engine.dispose()


def _without_contacts(cohort):
    def strip(people):
        return tuple(replace(p, name=None, email=None) for p in people)

    return replace(cohort, mentors=strip(cohort.mentors), mentees=strip(cohort.mentees))


@pytest.mark.parametrize(
    "make",
    [lambda: read_cohort("data/coaching-sample.csv"), lambda: generate_cohort(60, 15, seed=3)],
)
def test_cohort_round_trip_keeps_everything_but_names_and_emails(sessions, make):
    cohort = make()
    with transaction(sessions) as session:
        org = organization(session, "acme", create=True)
        cohort_id = store.save_cohort(session, org.id, "spring", "coaching", cohort).id
    with transaction(sessions) as session:
        back = store.load_cohort(session, cohort_id)
        stored = session.scalars(select(tables.Participant.data)).all()
    assert back == _without_contacts(cohort)
    assert all("name" not in data and "email" not in data for data in stored)


def test_saving_a_result_twice_does_not_double_it(sessions):
    cohort = read_cohort("data/coaching-sample.csv")
    result = solve(cohort, preset("coaching"))
    with transaction(sessions) as session:
        org = organization(session, "acme", create=True)
        cohort_id = store.save_cohort(session, org.id, "spring", "coaching", cohort).id
        run = tables.Run(organization_id=org.id, cohort_id=cohort_id, policy={})
        session.add(run)
        session.flush()
        store.save_result(session, run, result)
        store.save_result(session, run, result)
        run_id = run.id
    with transaction(sessions) as session:
        run = session.get(tables.Run, run_id)
        assert [(a.mentee_id, a.mentor_id) for a in run.assignments] == [
            (p.mentee_id, p.mentor_id) for p in result.pairs
        ]
        assert [u.mentee_id for u in run.unmatched] == [u.mentee_id for u in result.unmatched]
        assert len(run.alternates) == len(result.alternates)
        assert run.solver_status == result.status.value
        assert run.metrics["matched_places"] == result.metrics.matched_places


def test_deleting_a_cohort_erases_its_participants_and_runs(sessions):
    cohort = read_cohort("data/coaching-sample.csv")
    with transaction(sessions) as session:
        org = organization(session, "acme", create=True)
        row = store.save_cohort(session, org.id, "spring", "coaching", cohort)
        session.add(tables.Run(organization_id=org.id, cohort_id=row.id, policy={}))
    with transaction(sessions) as session:
        session.delete(session.get(tables.Cohort, row.id))
    with transaction(sessions) as session:
        for model in (tables.Participant, tables.Run):
            assert session.scalar(select(func.count()).select_from(model)) == 0


def test_keys_authenticate_until_revoked(sessions):
    with transaction(sessions) as session:
        key, row = create_key(session, "acme", label="hr")
        other_key, _ = create_key(session, "globex")
    with transaction(sessions) as session:
        acme, globex = organization(session, "acme").id, organization(session, "globex").id
        assert authenticate(session, key).organization_id == acme
        assert authenticate(session, other_key).organization_id == globex
        assert authenticate(session, key[:-1] + ("A" if key[-1] != "A" else "B")) is None
        assert authenticate(session, "not a key") is None
        assert authenticate(session, "") is None
        stored = session.scalars(select(tables.ApiKey.key_hash)).all()
        assert key not in stored and all(len(h) == 64 for h in stored)
    with transaction(sessions) as session:
        assert revoke_key(session, row.prefix) is not None
        assert revoke_key(session, row.prefix) is None
    with transaction(sessions) as session:
        assert authenticate(session, key) is None
        assert authenticate(session, other_key).organization_id == globex
