"""People sync: an HR system upserts participants of a stored cohort and reports leavers.

A sync is a batch of HRIS-shaped records: the cohort sheet's fields, plus ``employee_id``
(read as ``id``), ``supervisor_id`` (read as ``manager_id``) and ``status`` (``active``,
the default, or ``leaver``). A person already in the roster keeps their role when the
record has none. Every record goes through the core's validator
(:func:`matcher.io.records.cohort_from_records`), and so does the whole roster after the
batch, so a sync is accepted exactly when an upload of the new roster would be. Every
problem is listed at once with its batch row and field; a rejected batch stores nothing.

An accepted batch that changes anything makes a new roster version (:mod:`api.tables`):
changed and leaving people's rows end there, changed and new people get rows from it.
Runs queued before keep solving their version. A leaver's id is taken out of other
people's ``prefer`` and ``exclude`` lists (listed in the answer as ``unlinked``). Sending
the same batch twice changes nothing the second time (a leaver already gone is
``unchanged``). With ``rematch``, leavers start a minimal-disruption rematch of the
cohort's latest succeeded match or rematch run, queued in the same transaction, with
the requests accepted since pinned. Leavers' pending and accepted mentor requests are
withdrawn (:mod:`api.mentor_requests`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from api.history import pin_accepted
from api.ids import check_ids
from api.store import NOT_STORED, at_version, load_cohort, solved_inputs
from api.tables import Cohort, Participant, Run, RunStatus
from matcher.io.policy import policy_to_dict
from matcher.io.records import canonical_column, cohort_from_records, cohort_to_records
from matcher.model import InputError, Problem

HRIS = {"employee_id": "id", "supervisor_id": "manager_id"}
STATUSES = ("active", "leaver")
SOURCE = "people"
UNCOMMITTED_ROSTERS = "mentormatch.uncommitted_rosters"  # session.info key: cohort ids


@dataclass
class Outcome:
    """What a sync did, by person id (the answer's lists)."""

    version: int
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    unlinked: list[dict] = field(default_factory=list)
    rematch: dict | None = None  # the rematch run's columns, when one is queued


def _problem(k: int, message: str, column=None, value=None) -> Problem:
    shown = None if value is None else str(value)[:80]
    return Problem(message, row=k, column=column, value=shown, source=SOURCE)


def _read(k: int, record, roles: Mapping[str, str], ever: set[str]):
    """(id, status, core record or None, problems) of one batch record."""
    if not isinstance(record, Mapping):
        return None, None, None, [_problem(k, "expected an object")]
    problems, core, status = [], {}, "active"
    for key, value in record.items():
        name = canonical_column(str(key))
        if name == "status":
            status = value
        elif name in HRIS:
            if HRIS[name] in core and core[HRIS[name]] != value:
                problems.append(_problem(k, f"differs from {HRIS[name]}", name, value))
            core[HRIS[name]] = value
        elif name in ("id", "manager_id") and name in core and core[name] != value:
            problems.append(_problem(k, f"differs from the HRIS field for {name}", name, value))
        else:
            core[name] = value
    if problems:  # two ids for one record: nothing more can be said about it
        return None, None, None, problems
    person = core.get("id")
    if not isinstance(person, str) or not person.strip():
        problems.append(_problem(k, "expected the person's id (id or employee_id)", "id", person))
        return None, None, None, problems
    person = person.strip()
    core["id"] = person
    if status not in STATUSES:
        problems.append(_problem(k, "expected active or leaver", "status", status))
    stored = roles.get(person)
    role = core.get("role")
    if status == "leaver":
        if stored is None and person not in ever:
            problems.append(_problem(k, "no one with this id was ever in the cohort", "id", person))
        return person, status, None, problems
    if role is None and stored is not None:
        core["role"] = stored
    elif stored is not None and role != stored:
        message = f"is a {stored} in the cohort; a sync does not change roles (leaver, then add)"
        problems.append(_problem(k, message, "role", role))
    elif role is None:
        problems.append(_problem(k, "expected mentor or mentee for someone new", "role"))
    return person, status, core, problems


def _roster(session: Session, cohort: Cohort):
    """The current records (core form, mentors first) and every id the cohort ever had."""
    people = load_cohort(session, cohort.id)
    ever = set(
        session.scalars(select(Participant.external_id).where(Participant.cohort_id == cohort.id))
    )
    return cohort_to_records(people), ever


def _stored(record: Mapping) -> dict:
    return {k: v for k, v in record.items() if k not in NOT_STORED}


def plan_sync(session: Session, cohort: Cohort, batch: Sequence) -> tuple[list, Outcome, list]:
    """Check a batch against the cohort's current roster; nothing is stored.

    Returns
    -------
    (records, outcome, leaving)
        The new roster's records (stored form, mentors first, roster order then the new),
        what changes by id, and the leavers as (role, id).

    Raises
    ------
    InputError
        Every problem: per batch record (``source`` people, ``row`` its index in the
        batch), and any a stored person has in the new roster (``source`` roster).
    """
    records, ever = _roster(session, cohort)
    roles = {r["id"]: r["role"] for r in records}
    problems, upserts, leavers, seen = [], {}, set(), {}
    for k, item in enumerate(batch):
        person, status, core, found = _read(k, item, roles, ever)
        problems += found
        if person is not None and person in seen:
            message = f"is also record {seen[person] + 1} of the batch; send one record per person"
            problems.append(_problem(k, message, "id", person))
        if person is None or found or person in seen:
            seen.setdefault(person, k)
            continue
        seen[person] = k
        if status == "leaver":
            leavers.add(person)
        else:
            upserts[person] = core
    outcome = Outcome(version=cohort.version)
    gone = {p for p in leavers if p in roles}
    leaving = [(roles[p], p) for p in sorted(gone)]
    outcome.left, outcome.unchanged = [p for _, p in leaving], sorted(leavers - gone)
    raw, origin = [], []
    for record in records:
        person = record["id"]
        if person in gone:
            continue
        if person in upserts:
            raw.append(upserts[person])
            origin.append(seen[person])
            continue
        dropped = {c: [x for x in record[c] if x in gone] for c in ("prefer", "exclude")}
        if any(dropped.values()):
            record = {**record, **{c: [x for x in record[c] if x not in gone] for c in dropped}}
            outcome.unlinked.append({"id": person, **{c: v for c, v in dropped.items() if v}})
        raw.append(_core(record))
        origin.append(None)
    new = [p for p in upserts if p not in roles]
    raw += [upserts[p] for p in new]
    origin += [seen[p] for p in new]
    chart = tuple(tuple(edge) for edge in cohort.org_chart or ())
    try:
        checked = check_ids(cohort_from_records(raw, org_chart=chart, source=SOURCE), SOURCE)
    except InputError as error:
        problems += [_placed(p, raw, origin) for p in error.problems]
    if problems:
        raise InputError(problems, title="the people sync was rejected")
    merged = cohort_to_records(checked)
    before = {r["id"]: _stored(r) for r in records}
    for record in merged:
        person = record["id"]
        if person in upserts and person in before:
            same = _stored(record) == before[person]
            (outcome.unchanged if same else outcome.updated).append(person)
    outcome.added = new
    return merged, outcome, leaving


def _placed(problem: Problem, raw: list, origin: list) -> Problem:
    """A problem of the new roster at its batch record, or at the stored person it is about."""
    if problem.row is None:
        return problem
    if origin[problem.row] is not None:
        return replace(problem, row=origin[problem.row], line=None, source=SOURCE)
    person = raw[problem.row]["id"]
    message = f"stored person {person}: {problem.message}"
    return replace(problem, row=None, line=None, source="roster", message=message)


def _core(record: Mapping) -> dict:
    """A stored person's record as the validator reads it (no contacts; mentees have no
    min_capacity), as :func:`api.store.load_cohort` gives it."""
    out = _stored(record) | {"id": record["id"], "role": record["role"]}
    if out["role"] == "mentee":
        out.pop("min_capacity", None)
    return out


def latest_match(session: Session, cohort_id: str) -> Run | None:
    """The cohort's newest succeeded match or rematch run (scenario variants excluded)."""
    return session.scalars(
        select(Run)
        .where(
            Run.cohort_id == cohort_id,
            Run.status == RunStatus.SUCCEEDED.value,
            Run.kind.in_(("match", "rematch")),
        )
        .order_by(Run.created_at.desc(), Run.id)
        .limit(1)
    ).first()


def rematch_columns(session: Session, previous: Run, leaving, move_cost) -> dict:
    """A roster rematch run of ``previous`` after ``leaving`` left (see
    :func:`api.store.roster_base`): its policy pins the requests accepted since (leavers'
    are withdrawn already) unless a rule now forbids them, as the run's notes say
    (:func:`api.history.pin_accepted`)."""
    _, policy = solved_inputs(session, previous)
    cohort = session.get(Cohort, previous.cohort_id)
    policy, notes = pin_accepted(session, cohort, load_cohort(session, cohort.id), policy)
    changes = {
        "remove_mentors": [p for role, p in leaving if role == "mentor"],
        "remove_mentees": [p for role, p in leaving if role == "mentee"],
    }
    wrapped = {"changes": changes, "move_cost": move_cost, "roster": True}
    return {
        "kind": "rematch",
        "policy": policy_to_dict(policy),
        "changes": {**wrapped, "notes": notes} if notes else wrapped,
        "notes": notes or None,
        "previous_run_id": previous.id,
    }


def store_sync(session: Session, cohort: Cohort, merged: list, outcome: Outcome) -> None:
    """Write the new roster version (the caller holds the cohort row locked)."""
    changed = set(outcome.updated) | set(outcome.left) | {u["id"] for u in outcome.unlinked}
    if not changed and not outcome.added:
        return
    version = cohort.version + 1
    current = at_version(None)
    rows = session.execute(
        select(Participant.external_id, Participant.position).where(
            Participant.cohort_id == cohort.id, current
        )
    ).all()
    positions = dict(rows)
    ended = update(Participant).where(
        Participant.cohort_id == cohort.id, current, Participant.external_id.in_(changed)
    )
    session.execute(ended.values(until=version).execution_options(synchronize_session=False))
    top = {
        role: session.scalar(
            select(func.coalesce(func.max(Participant.position), -1)).where(
                Participant.cohort_id == cohort.id, Participant.role == role
            )
        )
        for role in ("mentor", "mentee")
    }
    new_rows = []
    for record in merged:
        person, role = record["id"], record["role"]
        if person not in changed and person not in outcome.added:
            continue
        if person in positions:
            position = positions[person]
        else:
            top[role] += 1
            position = top[role]
        new_rows.append(
            {
                "cohort_id": cohort.id,
                "role": role,
                "position": position,
                "external_id": person,
                "data": _stored(record),
                "since": version,
            }
        )
    if new_rows:
        session.execute(insert(Participant), new_rows)
    cohort.version = version
    # not committed yet: api.suggest prepares this roster without caching it (a rollback
    # would leave a cached roster under a version a later sync makes with other people)
    session.info.setdefault(UNCOMMITTED_ROSTERS, set()).add(cohort.id)
    cohort.n_mentors = sum(1 for r in merged if r["role"] == "mentor")
    cohort.n_mentees = len(merged) - cohort.n_mentors
    outcome.version = version


def sync(session: Session, cohort: Cohort, batch, rematch: bool, move_cost, settings):
    """Check and store a sync in the caller's transaction; (outcome, queued rematch run).

    Raises
    ------
    InputError
        Every problem with the batch (nothing is stored).
    ApiProblem
        409 when ``rematch`` is asked, someone leaves and the cohort has no succeeded
        run to rematch; 429 past the organization's active-run limit.
    """
    from api.errors import ApiProblem
    from api.operations import start_runs

    merged, outcome, leaving = plan_sync(session, cohort, batch)
    previous = None
    if rematch and leaving:
        previous = latest_match(session, cohort.id)
        if previous is None:
            raise ApiProblem(
                409,
                "nothing to rematch",
                "someone leaves and a rematch was asked, but the cohort has no succeeded "
                "match run yet; sync without rematch, or start a run",
                kind="nothing-to-rematch",
            )
    store_sync(session, cohort, merged, outcome)
    if outcome.left:
        from api.mentor_requests import withdraw_leavers

        withdraw_leavers(session, cohort, outcome.left, settings)
    if previous is None:
        return outcome, None
    columns = rematch_columns(session, previous, leaving, move_cost)
    return outcome, start_runs(session, cohort, [columns], settings)[0]
