"""Helpers of the job tests: a stored cohort with a queued run, waiting for a run to end,
and a stored result read back as the core's MatchResult."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import func, select, update

from api.db import transaction
from api.keys import organization
from api.store import save_cohort
from api.tables import FINISHED, Assignment, Run, UnmatchedRow
from matcher.io.cohort_csv import read_cohort
from matcher.io.policy import policy_to_dict, preset
from matcher.model import Cohort
from matcher.results import MatchResult, Metrics, Pair, Status, Unmatched

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "coaching-sample.csv"


def sample_cohort() -> Cohort:
    return read_cohort(SAMPLE)


def queue_run(sessions, cohort: Cohort | None = None, policy=None, kind="match") -> str:
    """Store ``cohort`` (default: the coaching sample) and a queued run of it; its id."""
    cohort = cohort or sample_cohort()
    policy = policy or preset("coaching")
    with transaction(sessions) as session:
        org = organization(session, "acme", create=True)
        row = save_cohort(session, org.id, "sample", "coaching", cohort)
        run = Run(
            organization_id=org.id, cohort_id=row.id, policy=policy_to_dict(policy), kind=kind
        )
        session.add(run)
        session.flush()
        return run.id


def get_run(sessions, run_id: str) -> Run:
    with sessions() as session:
        return session.get(Run, run_id)


def set_run(sessions, run_id: str, **values) -> None:
    with transaction(sessions) as session:
        session.execute(update(Run).where(Run.id == run_id).values(**values))


def count_rows(sessions, model, run_id: str) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(model.run_id == run_id))


def wait_for(sessions, run_id: str, statuses=FINISHED, timeout: float = 60.0) -> Run:
    """The run once its status is one of ``statuses``; AssertionError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        run = get_run(sessions, run_id)
        if run.status in statuses:
            return run
        assert time.monotonic() < deadline, f"run {run_id} still {run.status} after {timeout}s"
        time.sleep(0.05)


def stored_result(sessions, run_id: str) -> MatchResult:
    """The stored result of a run, rebuilt as a MatchResult (for matcher.checker)."""
    with sessions() as session:
        run = session.get(Run, run_id)
        pairs = session.scalars(
            select(Assignment).where(Assignment.run_id == run_id).order_by(Assignment.position)
        ).all()
        unmatched = session.scalars(
            select(UnmatchedRow)
            .where(UnmatchedRow.run_id == run_id)
            .order_by(UnmatchedRow.position)
        ).all()
        return MatchResult(
            solver=run.solver,
            status=Status(run.solver_status),
            pairs=tuple(
                Pair(
                    p.mentee_id,
                    p.mentor_id,
                    p.score,
                    tuple((name, value) for name, value in p.components),
                    p.pinned,
                    p.explanation,
                )
                for p in pairs
            ),
            unmatched=tuple(Unmatched(u.mentee_id, u.missing, tuple(u.reasons)) for u in unmatched),
            metrics=Metrics(**run.metrics),
            objective=run.objective,
            bound=run.bound,
            gap=run.gap,
            certified=run.certified,
            conflicts=tuple(run.conflicts),
        )
