"""What-if requests in the database: check scenario and rematch requests against the stored
cohort, queue their runs, and read a scenario back with its comparison.

Everything is checked before anything is stored, and every problem is reported at once
(an :class:`~matcher.model.InputError`, a 422): unknown keys, the base policy, every
variant's changes (key paths ``scenarios[k]....`` or ``vary[j]....``), names. A scenario's
variants become runs: a "match" run named ``baseline`` and one "scenario" run per variant,
each run holding its change set; the base policy pins the cohort's accepted mentor requests
(:func:`api.history.with_accepted`), so every variant does unless its change set removes
one of the pair or forbids it. The comparison is built once from the stored results
with the core's :func:`matcher.whatif.compare.compare` (so it is what ``mentormatch
scenario`` prints) when the last run has succeeded, and stored on the scenario
(:func:`settle_comparison`); reads return the stored document.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

from flask import url_for
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from api.db import transaction
from api.errors import ApiProblem
from api.history import history_section, with_accepted, with_history
from api.ids import id_problems
from api.mappings import with_cohort_rules
from api.operations import build_policy, policy_limits, start_runs
from api.personal import scenario_request_without_contacts, without_contacts
from api.store import load_cohort, load_result, solved_inputs
from api.tables import Cohort, Run, RunStatus, Scenario
from matcher.encode.rules import policy_pair_problems
from matcher.io.policy import policy_from_dict, policy_to_dict
from matcher.model import Cohort as People
from matcher.model import InputError, Policy, Problem
from matcher.whatif.changes import parse_changes
from matcher.whatif.compare import Change, compare
from matcher.whatif.scenarios import ScenarioRun, Variant, scenario_run_to_dict, scenarios_from_data

SCENARIO_KEYS = ("policy", "scenarios", "vary")
REMATCH_KEYS = ("changes", "move_cost")
BASELINE = "baseline"
MAX_NAME = 200  # Run.variant
LISTED = {c.value for c in Change} - {Change.KEPT.value, Change.STILL_UNMATCHED.value}


@dataclass(frozen=True)
class Plan:
    """A checked scenario request: the base policy and each variant's name, swept
    parameters ([key, value] pairs) and change set."""

    request: dict
    policy: Policy
    variants: tuple[tuple[str, list, dict], ...]


def _unknown(data: Mapping, known: tuple[str, ...]) -> list[Problem]:
    problems = []
    for key in (k for k in data if k not in known):
        close = difflib.get_close_matches(str(key), known, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        message = f"unknown key; {hint}known: {', '.join(known)}"
        problems.append(Problem(message, column=str(key), value=str(key), source="body"))
    return problems


def _prefixed(error: InputError, prefix: str) -> list[Problem]:
    return [
        replace(p, column=f"{prefix}.{p.column}" if p.column else prefix) for p in error.problems
    ]


def _limits(data, base: Policy, where: str, source: str, max_seconds: float) -> list:
    """What :func:`~api.operations.policy_limits` refuses in the change set's policy
    section (its other problems are :func:`parse_changes`'s to name)."""
    section = data.get("policy") if isinstance(data, Mapping) else None
    if section is None:
        return []
    try:
        policy = policy_from_dict(section, base)
    except InputError:
        return []
    return policy_limits(policy, max_seconds, f"{where}.policy", source)


def _change_problems(data, people: People, policy: Policy, where: str, source: str) -> list:
    """The core's problems with a change set, and the added people's unreadable ids."""
    try:
        parsed = parse_changes(data, people, policy, where=where, source=source)
    except InputError as error:
        return list(error.problems)
    return id_problems(parsed.add, source, f"{where}.add") if parsed.add is not None else []


def _count(data: Mapping) -> int:
    """How many variants the request makes, counted before any sweep is expanded."""
    listed = data.get("scenarios")
    vary = data.get("vary")
    n = len(listed) if isinstance(listed, list) else 0
    if isinstance(vary, Mapping) and vary and all(isinstance(v, list) for v in vary.values()):
        n += math.prod(len(v) for v in vary.values())
    return n


def _too_large(count: int, settings: Mapping) -> None:
    cap, active = settings["MAX_SCENARIO_VARIANTS"], settings["MAX_ACTIVE_RUNS"]
    if count > cap:
        limit, detail = cap, f"the request makes {count} variants; this server takes {cap}"
    elif count + 1 > active:
        limit = active - 1
        detail = (
            f"the request makes {count} variants, so {count + 1} runs with the baseline; "
            f"your organization may have at most {active} queued or running runs"
        )
    else:
        return
    raise ApiProblem(
        422, "too many variants", detail, kind="scenario-too-large", variants=count, limit=limit
    )


def plan_scenario(session: Session, cohort: Cohort, data, settings: Mapping) -> Plan:
    """Check a scenario request against the stored cohort; nothing is stored.

    Raises
    ------
    ApiProblem
        422 ``scenario-too-large`` when it makes more variants than the server or the
        organization's active-run limit allows.
    InputError
        Every problem with the request (key paths as columns).
    """
    data = dict(data) if isinstance(data, Mapping) else {}
    _too_large(_count(data), settings)
    max_seconds = settings["MAX_SOLVER_SECONDS"]
    people = load_cohort(session, cohort.id)
    problems = _unknown(data, SCENARIO_KEYS)
    policy = None
    try:
        body, history_runs = data.get("policy", {}), None
        if isinstance(body, Mapping):  # history.runs: earlier runs whose pairs count
            body, history_runs = history_section(body)
        policy = build_policy(body, cohort.program, max_seconds)
        policy = with_cohort_rules(session, cohort.id, policy)
        policy = with_history(session, cohort, policy, history_runs)
    except InputError as error:
        problems += _prefixed(error, "policy")
    if policy is not None:
        for key in ("forbidden_pairs", "pinned_pairs"):
            pairs = getattr(policy, key)
            problems += policy_pair_problems(people, pairs, f"policy.rules.{key}")
        try:  # the baseline and every variant start from it: all pin them, as runs do
            policy = with_accepted(session, cohort, policy)
        except InputError as error:
            problems += _prefixed(error, "policy")
    listed = data.get("scenarios", [])
    try:
        variants = scenarios_from_data({k: data[k] for k in SCENARIO_KEYS[1:] if k in data})
    except InputError as error:
        problems += error.problems
        variants = []
    if problems:
        raise InputError(problems, title="the scenario was rejected")
    out = _variants(people, policy, variants, len(listed), max_seconds)
    return Plan(data, policy, tuple(out))


def _variants(people: People, policy: Policy, variants, n_listed: int, max_seconds) -> list:
    problems, out, names = [], [], {BASELINE: None}
    for k, data in enumerate(variants):
        data = dict(data)
        params = data.pop("params", []) if k >= n_listed else []
        where, source = (
            (f"scenarios[{k}]", "scenarios") if k < n_listed else (f"vary[{k - n_listed}]", "vary")
        )
        given = data.get("name")
        name = given.strip() if isinstance(given, str) and given.strip() else f"scenario {k + 1}"
        message = None
        if name == BASELINE:
            message = "'baseline' names the run without changes; choose another name"
        elif name in names:
            message = f"the name is also used by {names[name]}; expected unique names"
        elif len(name) > MAX_NAME:
            message = f"at most {MAX_NAME} characters"
        if message:
            problems.append(Problem(message, column=f"{where}.name", value=name, source=source))
        names.setdefault(name, where)
        problems += _limits(data, policy, where, source, max_seconds)
        problems += _change_problems(data, people, policy, where, source)
        out.append((name, params, data))
    if problems:
        raise InputError(problems, title="the scenario was rejected")
    return out


def queue_scenario(
    session: Session, cohort: Cohort, plan: Plan, settings: Mapping
) -> tuple[Scenario, list[Run]]:
    """Store the scenario and queue its runs (baseline first); 429 past the run limit.

    Added people are stored without their names and emails (:mod:`api.personal`).
    """
    spec = {
        "request": scenario_request_without_contacts(plan.request),
        "variants": [{"name": name, "params": params} for name, params, _ in plan.variants],
    }
    scenario = Scenario(organization_id=cohort.organization_id, cohort_id=cohort.id, spec=spec)
    session.add(scenario)
    session.flush()
    policy = policy_to_dict(plan.policy)
    base = {"policy": policy, "scenario_id": scenario.id}
    runs = [{**base, "kind": "match", "variant": BASELINE}]
    runs += [
        {**base, "kind": "scenario", "variant": name, "changes": without_contacts(changes)}
        for name, _, changes in plan.variants
    ]
    return scenario, start_runs(session, cohort, runs, settings)


def scenario_runs(session: Session, scenario: Scenario) -> list[Run]:
    """The scenario's runs: the baseline, then the variants in the order requested."""
    rows = session.scalars(select(Run).where(Run.scenario_id == scenario.id)).all()
    by_name = {run.variant: run for run in rows}
    order = [BASELINE] + [v["name"] for v in scenario.spec["variants"]]
    return [by_name[name] for name in order if name in by_name]


def scenario_status(runs: list[Run]) -> str:
    """queued, running, succeeded or failed (see :class:`ScenarioOut`)."""
    statuses = {run.status for run in runs}
    if statuses <= {RunStatus.QUEUED}:
        return "queued"
    if statuses & {RunStatus.QUEUED, RunStatus.RUNNING}:
        return "running"
    return "succeeded" if statuses == {RunStatus.SUCCEEDED} else "failed"


def present_scenario(session: Session, scenario: Scenario) -> dict:
    """The scenario, its runs and, once every run has succeeded, the comparison."""
    runs = scenario_runs(session, scenario)
    status = scenario_status(runs)
    return {
        "id": scenario.id,
        "cohort_id": scenario.cohort_id,
        "created_at": scenario.created_at,
        "status": status,
        "runs": [
            {
                "variant": run.variant,
                "run_id": run.id,
                "status": run.status,
                "solver_status": run.solver_status,
                "link": url_for("runs.get_run", run_id=run.id),
            }
            for run in runs
        ],
        "comparison": scenario.comparison if status == "succeeded" else None,
        "links": {
            "self": url_for("scenarios.get_scenario", scenario_id=scenario.id),
            "cohort": url_for("cohorts.get_cohort", cohort_id=scenario.cohort_id),
            "cancel": url_for("scenarios.cancel_scenario", scenario_id=scenario.id),
        },
    }


def settle_comparison(sessions: sessionmaker[Session], scenario_id: str) -> dict | None:
    """Compute and store a scenario's comparison once every run has succeeded.

    The worker that finishes the scenario's last run calls it; a read of the scenario
    calls it too, so a comparison whose worker stopped in between is made on first read.
    The comparison is stored once (a second writer finds it there and keeps the first).

    Returns
    -------
    dict or None
        The stored comparison; None while a run has not succeeded (or the scenario is gone).
    """
    with sessions() as session:
        scenario = session.get(Scenario, scenario_id)
        if scenario is None or scenario.comparison is not None:
            return scenario.comparison if scenario is not None else None
        runs = scenario_runs(session, scenario)
        if scenario_status(runs) != "succeeded":
            return None
        body = comparison(session, scenario, runs)
    with transaction(sessions) as session:
        statement = (
            update(Scenario)
            .where(Scenario.id == scenario_id, Scenario.comparison.is_(None))
            .values(comparison=body)
        )
        session.execute(statement.execution_options(synchronize_session=False))
    return body


def comparison(session: Session, scenario: Scenario, runs: list[Run]) -> dict:
    """The trade-off table and each variant against the baseline, from stored results.

    Only the mentees whose mentors changed are listed (see :data:`LISTED`). Every run of
    a scenario was queued with the same roster version: the baseline's is loaded.
    """
    baseline, *variant_runs = runs
    cohort = load_cohort(session, scenario.cohort_id, baseline.cohort_version)
    base_result = load_result(session, baseline)
    params = {v["name"]: tuple(tuple(p) for p in v["params"]) for v in scenario.spec["variants"]}
    variants = []
    for run in variant_runs:
        new_cohort, new_policy = solved_inputs(session, run, cohort)
        result = load_result(session, run)
        diff = compare(cohort, base_result, new_cohort, result, run.variant)
        variants.append(
            Variant(run.variant, params[run.variant], new_cohort, new_policy, result, diff)
        )
    whole = ScenarioRun(cohort, policy_from_dict(baseline.policy), base_result, tuple(variants))
    body = scenario_run_to_dict(whole, people=True)
    for item in body["comparisons"]:
        item["people"] = [p for p in item["people"] if p["change"] in LISTED]
    return body


def plan_rematch(session: Session, run: Run, data, max_seconds: float) -> dict:
    """Check a rematch request against what ``run`` solved; the new run's columns.

    Returns
    -------
    dict
        ``kind``, ``policy`` (the policy ``run`` solved), ``changes`` (``{"changes":
        change set, "move_cost": None or a number}``, added people without their names
        and emails) and ``previous_run_id``.

    Raises
    ------
    InputError
        Every problem with the request (key paths as columns); nothing is stored.
    """
    data = dict(data) if isinstance(data, Mapping) else {}
    people, policy = solved_inputs(session, run)
    problems = _unknown(data, REMATCH_KEYS)
    changes = data.get("changes", {})
    problems += _limits(changes, policy, "changes", "changes", max_seconds)
    problems += _change_problems(changes, people, policy, "changes", "changes")
    cost = data.get("move_cost")
    number = isinstance(cost, int | float) and not isinstance(cost, bool)
    if cost is not None and not (number and math.isfinite(cost) and cost >= 0):
        message = "expected a number >= 0 (the score one moved pair costs), or null"
        problems.append(Problem(message, column="move_cost", value=str(cost), source="body"))
    if problems:
        raise InputError(problems, title="the rematch was rejected")
    return {
        "kind": "rematch",
        "policy": policy_to_dict(policy),
        "changes": {"changes": without_contacts(changes), "move_cost": cost},
        "previous_run_id": run.id,
    }
