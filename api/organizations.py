"""Deleting an organization with everything it owns, its audit entries included.

Foreign keys cascade from the organization row (cohorts, people, runs and results,
scenarios, keys, accounts, webhooks, uploads...); audit entries have no foreign key, so
they are deleted here under an :class:`~api.tables_audit.AuditUnlock`. The deletion is
recorded as a service-wide audit entry (organization NULL), which no organization's
audit log shows. The caller scrubs every table after the commit
(:func:`api.personal.scrub` with :func:`all_tables`).
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api import audit
from api.tables import Base, Cohort, Organization, Participant, Run
from api.tables_audit import AuditEntry, AuditUnlock


def delete_organization(session: Session, organization: Organization, who: str = "cli") -> dict:
    """Delete ``organization`` and everything it owns (foreign keys cascade from the
    organization row), its audit entries included; record the deletion as a
    service-wide audit entry (organization NULL) holding its id, name and row counts.

    Returns
    -------
    dict
        Rows deleted per table.
    """
    org_id = organization.id
    cohorts = select(Cohort.id).where(Cohort.organization_id == org_id)
    counts = {
        "cohorts": session.scalar(select(func.count()).select_from(cohorts.subquery())),
        "participants": session.scalar(
            select(func.count()).where(Participant.cohort_id.in_(cohorts))
        ),
        "runs": session.scalar(select(func.count()).where(Run.organization_id == org_id)),
    }
    session.add(AuditUnlock(reason="organization deleted"))
    session.flush()
    counts["audit_log"] = session.execute(
        delete(AuditEntry).where(AuditEntry.organization_id == org_id)
    ).rowcount
    session.execute(delete(AuditUnlock))
    session.execute(delete(Organization).where(Organization.id == org_id))
    audit.record(
        session,
        "organization.deleted",
        organization_id=None,
        object_type="organization",
        object_id=str(org_id),
        detail={"name": organization.name, "rows": counts},
        who=who,
    )
    session.expunge(organization)
    return counts


def all_tables() -> list[str]:
    """Every table, for the scrub after an organization's deletion."""
    return [table.name for table in Base.metadata.sorted_tables]
