"""Events, written where they happen: one delivery row per subscribed webhook.

:func:`run_finished` is called by :mod:`api.jobs.lifecycle` inside every transaction that
moves a run to succeeded, failed or cancelled, so the event and the state change are
committed together (or neither is). It writes ``run.succeeded`` / ``run.failed`` and,
when the run was its scenario's last unfinished one, ``scenario.completed``: the
scenario row is locked (FOR NO KEY UPDATE: foreign-key checks of its runs do not wait on
it, and a FOR UPDATE here deadlocked with them on PostgreSQL), so two runs finishing at
once on two workers cannot both
miss (or both send) it, and ``Scenario.completed_at`` marks it sent once.

A body is an envelope ``{"id": "evt_...", "type", "created_at", "data"}``; ``data`` holds
ids and statuses only.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.hooks import RUN_FAILED, RUN_SUCCEEDED, SCENARIO_COMPLETED
from api.tables import ACTIVE, Run, RunStatus, Scenario, new_id, utcnow
from api.tables_hr import Webhook, WebhookDelivery

RUN_EVENTS = {RunStatus.SUCCEEDED.value: RUN_SUCCEEDED, RunStatus.FAILED.value: RUN_FAILED}


def emit(session: Session, organization_id: int, event: str, data: dict) -> int:
    """Add a delivery of ``event`` for each of the organization's webhooks that wants it.

    Returns
    -------
    int
        How many deliveries were added to the caller's transaction.
    """
    hooks = session.execute(
        select(Webhook.id, Webhook.events).where(Webhook.organization_id == organization_id)
    ).all()
    targets = [hook_id for hook_id, events in hooks if event in (events or ())]
    if not targets:
        return 0
    now = utcnow()
    envelope = {"id": new_id("evt"), "type": event, "created_at": now.isoformat(), "data": data}
    session.add_all(
        WebhookDelivery(
            webhook_id=hook_id,
            event_id=envelope["id"],
            event=event,
            payload=envelope,
            created_at=now,
            available_at=now,
        )
        for hook_id in targets
    )
    return len(targets)


def run_finished(session: Session, run_id: str) -> None:
    """The events of a run that has just finished, in the caller's transaction."""
    row = session.execute(
        select(
            Run.organization_id,
            Run.cohort_id,
            Run.kind,
            Run.status,
            Run.solver_status,
            Run.scenario_id,
            Run.previous_run_id,
        ).where(Run.id == run_id)
    ).first()
    if row is None:
        return
    event = RUN_EVENTS.get(row.status)
    if event is not None:
        data = {
            "run_id": run_id,
            "cohort_id": row.cohort_id,
            "kind": row.kind,
            "status": row.status,
            "solver_status": row.solver_status,
            "scenario_id": row.scenario_id,
            "previous_run_id": row.previous_run_id,
        }
        emit(session, row.organization_id, event, data)
    if row.scenario_id is not None:
        _scenario_progress(session, row.organization_id, row.scenario_id)


def _scenario_progress(session: Session, organization_id: int, scenario_id: str) -> None:
    scenario = session.scalars(
        select(Scenario).where(Scenario.id == scenario_id).with_for_update(key_share=True)
    ).first()
    if scenario is None or scenario.completed_at is not None:
        return
    statuses = dict(
        session.execute(
            select(Run.status, func.count())
            .where(Run.scenario_id == scenario_id)
            .group_by(Run.status)
        ).all()
    )
    if any(statuses.get(status.value) for status in ACTIVE):
        return
    scenario.completed_at = utcnow()
    succeeded = set(statuses) == {RunStatus.SUCCEEDED.value}
    data = {
        "scenario_id": scenario_id,
        "cohort_id": scenario.cohort_id,
        "status": "succeeded" if succeeded else "failed",
        "runs": {status: count for status, count in sorted(statuses.items())},
    }
    emit(session, organization_id, SCENARIO_COMPLETED, data)
