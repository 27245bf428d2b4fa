"""Mapping templates and cohorts read through a mapping, for the JSON API and the web app.

A template is a mapping in the JSON form of a mapping file (what
:func:`matcher.io.mapping.load_mapping` reads) saved under a name for an organization, in
the web app's table (:class:`api.tables_web.MappingTemplate`): a template saved on the
mapping page is usable from the API and the other way round. The API checks a mapping
before saving it; the web page saves what the coordinator submitted, so a template is
checked again whenever a sheet is read through it.

A cohort read through a mapping keeps it where the web app keeps it
(:class:`api.tables_web.CohortImport`: the mapping, the programme's own questions, what
was understood). The question rules the mapping declares (``rule``, ``weight``,
``pair_with``) join the policy of every run started on the cohort
(:func:`with_cohort_rules`), as ``match --map`` adds them to a policy file's: the run's
own rules win, and the run's stored policy shows them all.
"""

from __future__ import annotations

from flask import g, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.errors import ApiProblem
from api.tables_web import CohortImport, MappingTemplate
from matcher.io.attribute_rules import with_mapping_rules
from matcher.io.mapping import SheetMapping, load_mapping
from matcher.io.understood import describe
from matcher.model import Cohort, InputError, Policy, Problem

SOURCE = "mapping"


def check_mapping(data, source: str = SOURCE) -> SheetMapping:
    """The checked mapping of ``data`` (a parsed JSON object).

    Raises
    ------
    InputError
        Every problem, each with its key path (``columns."Time zone".separator``).
    """
    if not isinstance(data, dict):
        problem = Problem("expected a mapping: an object with columns", source=source)
        raise InputError([problem], title="the mapping was rejected")
    return load_mapping(data, source)


def find_template(session: Session, organization_id: int, name: str) -> MappingTemplate | None:
    """The organization's template called ``name`` (exactly), if any."""
    return session.scalar(
        select(MappingTemplate).where(
            MappingTemplate.organization_id == organization_id, MappingTemplate.name == name
        )
    )


def template_or_404(session: Session, name: str) -> MappingTemplate:
    """The caller's template called ``name``; another organization's is a 404 as well."""
    row = find_template(session, g.organization_id, name)
    if row is None:
        raise ApiProblem(404, "not found", f"no mapping template {name!r}", kind="not-found")
    return row


def add_template(session: Session, name: str, data: dict) -> MappingTemplate:
    """A new template of the caller's organization; 409 when the name is taken."""
    row = MappingTemplate(organization_id=g.organization_id, name=name, mapping=data)
    taken = ApiProblem(
        409,
        "mapping template exists",
        f"your organization already has a mapping template {name!r}; PUT "
        f"{url_for('mappings.get_template', name=name)} replaces it",
        kind="mapping-template-exists",
    )
    if find_template(session, g.organization_id, name) is not None:
        raise taken
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # a concurrent request saved the same name first
        raise taken from None
    return row


def save_template(session: Session, organization_id: int, name: str, data, user_id=None):
    """Save ``data`` as the template ``name``, replacing one of that name (the web page)."""
    row = find_template(session, organization_id, name)
    if row is None:
        row = MappingTemplate(organization_id=organization_id, name=name, user_id=user_id)
        session.add(row)
    row.mapping = data
    return row


def present_template(row: MappingTemplate) -> dict:
    """A template as the API answers it."""
    return {
        "name": row.name,
        "mapping": row.mapping,
        "created_at": row.created_at,
        "links": {"self": url_for("mappings.get_template", name=row.name)},
    }


def template_mapping(session: Session, name: str) -> dict:
    """The mapping data of the caller's template ``name``, for reading an upload.

    Raises
    ------
    InputError
        No template has this name in the caller's organization (the query parameter named).
    """
    row = find_template(session, g.organization_id, name)
    if row is None:
        message = "no mapping template has this name in your organization (GET /api/v1/mappings)"
        problem = Problem(message, column="mapping", value=name[:80], source="query")
        raise InputError([problem], title="the upload was rejected")
    return row.mapping


def questions(data: dict) -> list[dict]:
    """The programme's own questions in a mapping: attribute, type, role, header."""
    out = []
    for header, settings in data["columns"].items():
        if "attribute" in settings:
            out.append(
                {
                    "attribute": settings["attribute"],
                    "type": settings.get("type"),
                    "role": settings.get("role"),
                    "header": header,
                }
            )
    return out


def keep_import(
    session: Session,
    cohort_id: str,
    filename: str,
    data: dict,
    cohort: Cohort,
    readings,
    user_id: int | None = None,
) -> CohortImport:
    """Record how a cohort was read: its mapping, questions and what was understood."""
    row = CohortImport(
        cohort_id=cohort_id,
        user_id=user_id,
        filename=filename[:255],
        mapping=data,
        questions=questions(data),
        understood=describe(cohort, readings),
    )
    session.add(row)
    return row


def cohort_mapping(session: Session, cohort_id: str) -> SheetMapping | None:
    """The mapping a cohort was read through, or None (records, or a plain sheet)."""
    imported = session.get(CohortImport, cohort_id)
    return None if imported is None else load_mapping(imported.mapping, SOURCE)


def with_cohort_rules(session: Session, cohort_id: str, policy: Policy) -> Policy:
    """``policy`` plus the question rules of the cohort's mapping (the policy's own win)."""
    mapping = cohort_mapping(session, cohort_id)
    return policy if mapping is None else with_mapping_rules(policy, mapping)
