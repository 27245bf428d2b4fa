"""What-if scenarios: a base cohort + policy, named change sets, each solved and compared.

A scenario is change data (see :mod:`matcher.whatif.changes`) with a ``name``. Scenarios come from
a file (:func:`load_scenarios`: TOML or JSON with ``[[scenarios]]`` tables and/or a
``[vary]`` table of parameter sweeps) or from ``KEY=V1,V2`` sweeps
(:func:`matcher.whatif.sweep.vary_scenarios`). :func:`run_scenarios` validates every scenario
first (all problems at once, keyed ``scenarios[k]....``), then solves the baseline and
each variant and compares each against the baseline. Nothing is mutated; the same inputs
give the same table (solvers are seeded by the policy).

Results are frozen dataclasses; :func:`scenario_run_to_dict` and :func:`trade_off_table`
give JSON-ready data for the CLI and the HTTP layer.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from matcher.model import Cohort, InputError, Policy, Problem
from matcher.results import MatchResult
from matcher.whatif.changes import Changes, apply_changes, parse_changes
from matcher.whatif.compare import Change, Comparison, compare, comparison_to_dict, summary_to_dict

FILE_KEYS = ("scenarios", "vary")


@dataclass(frozen=True)
class Variant:
    """One solved scenario: its label, swept parameter values, inputs, result and diff."""

    name: str
    params: tuple[tuple[str, object], ...]
    cohort: Cohort
    policy: Policy
    result: MatchResult
    comparison: Comparison


@dataclass(frozen=True)
class ScenarioRun:
    """The baseline and every variant, in the order given."""

    cohort: Cohort
    policy: Policy
    baseline: MatchResult
    variants: tuple[Variant, ...]


def _reject(problems, source: str) -> NoReturn:
    raise InputError(
        [Problem(m, column=c, value=v, source=source) for c, v, m in problems],
        title="the scenario file was rejected",
    )


def load_scenarios(path: str | Path) -> list[dict]:
    """Read a scenario file (``.toml`` or ``.json``) into change-data dicts.

    The file holds ``scenarios`` (a list of change sets, each with a ``name``) and/or
    ``vary`` (``{"capacity.all": [1, 2, 3]}``: one scenario per value, or per combination
    when several keys are given; see :func:`matcher.whatif.sweep.vary_scenarios`).

    Parameters
    ----------
    path : the file.

    Returns
    -------
    list of dict
        Change data, ``scenarios`` first then the sweep's; each dict has a ``name`` and
        sweep scenarios a ``params`` list of [key, value].

    Raises
    ------
    InputError
        Unreadable or unparseable file (with the line), unknown top-level keys, a
        malformed ``vary`` table. Change data itself is checked by :func:`run_scenarios`.
    """

    path = Path(path)
    source = path.name
    if path.suffix.lower() not in (".toml", ".json"):
        _reject([(None, source, "expected a .toml or .json scenario file")], source)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        _reject([(None, None, f"cannot read the file: {exc.strerror or exc}")], source)
    except UnicodeDecodeError:
        _reject([(None, None, "expected UTF-8 text")], source)
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        problem = Problem(f"not valid {path.suffix[1:].upper()}: {exc}", line=line, source=source)
        raise InputError([problem], title="the scenario file was rejected") from None
    return scenarios_from_data(data, source)


def scenarios_from_data(data: object, source: str = "scenarios") -> list[dict]:
    """The change-data dicts of a parsed scenario document (see :func:`load_scenarios`).

    Parameters
    ----------
    data : the parsed document (from TOML, JSON or a request body); anything but a
        mapping with ``scenarios`` and/or ``vary`` is rejected.
    source : the problems' source (a file name).

    Returns
    -------
    list of dict
        As for :func:`load_scenarios`.

    Raises
    ------
    InputError
        Not a mapping, unknown top-level keys, malformed ``scenarios`` or ``vary``, or
        neither given; bad sweep keys (see :func:`matcher.whatif.sweep.vary_scenarios`).
    """
    import difflib

    from matcher.whatif.sweep import vary_scenarios

    problems = []
    if not isinstance(data, Mapping):
        _reject([(None, None, "expected a table with 'scenarios' and/or 'vary'")], source)
    for key in data:
        if key not in FILE_KEYS:
            close = difflib.get_close_matches(str(key), FILE_KEYS, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append((key, key, f"unknown key; {hint}known: {', '.join(FILE_KEYS)}"))
    listed = data.get("scenarios", [])
    if not isinstance(listed, list) or not all(isinstance(s, Mapping) for s in listed):
        problems.append(("scenarios", None, "expected a list of [[scenarios]] tables"))
        listed = []
    vary = data.get("vary", {})
    if not isinstance(vary, Mapping) or not all(isinstance(v, list) and v for v in vary.values()):
        problems.append(("vary", None, "expected a table of key = [value, value, ...]"))
        vary = {}
    if not listed and not vary and not problems:
        problems.append((None, None, "no scenarios: give [[scenarios]] tables or a [vary] table"))
    if problems:
        _reject(problems, source)
    swept = vary_scenarios(list(vary.items()), source=source) if vary else []
    return [dict(s) for s in listed] + swept


def run_scenarios(
    cohort: Cohort,
    policy: Policy,
    scenarios: Sequence[Mapping],
    *,
    source: str = "scenarios",
    progress: Callable[[str], None] | None = None,
) -> ScenarioRun:
    """Validate, solve and compare every scenario against the baseline.

    Parameters
    ----------
    cohort, policy : the baseline.
    scenarios : change data dicts (a ``name`` each; ``params`` optional).
    source : the problems' source (a file name).
    progress : optional callable told each step as it starts.

    Returns
    -------
    ScenarioRun

    Raises
    ------
    InputError
        Every problem of every scenario at once, key paths prefixed ``scenarios[k]``.
    """
    from matcher.solve import solve

    say = progress or (lambda step: None)
    parsed: list[tuple[Changes, tuple]] = []
    problems = []
    names: dict[str, int] = {}
    for k, data in enumerate(scenarios):
        data = dict(data) if isinstance(data, Mapping) else data
        params = ()
        if isinstance(data, dict):
            params = tuple((str(a), b) for a, b in data.pop("params", ()))
        raw_name = data.get("name") if isinstance(data, dict) else None
        name = raw_name.strip() if isinstance(raw_name, str) and raw_name.strip() else None
        if name in names:
            message = f"the name is also used by scenarios[{names[name]}]; expected unique names"
            column = f"scenarios[{k}].name"
            problems.append(Problem(message, column=column, value=name, source=source))
        elif name:
            names[name] = k
        try:
            changes = parse_changes(data, cohort, policy, where=f"scenarios[{k}]", source=source)
        except InputError as error:
            problems.extend(error.problems)
            continue
        parsed.append((changes, params))
    if problems:
        raise InputError(problems, title="the scenarios were rejected")
    say("baseline")
    baseline = solve(cohort, policy)
    variants = []
    for changes, params in parsed:
        name = changes.name or f"scenario {len(variants) + 1}"
        say(name)
        new_cohort, new_policy = apply_changes(cohort, policy, changes)
        result = solve(new_cohort, new_policy)
        diff = compare(cohort, baseline, new_cohort, result, name)
        variants.append(Variant(name, params, new_cohort, new_policy, result, diff))
    return ScenarioRun(cohort, policy, baseline, tuple(variants))


TABLE_COLUMNS = (
    "status",
    "matched_places",
    "wanted_places",
    "unmatched_mentees",
    "total_score",
    "mean_score",
    "min_score",
    "p10_score",
    "median_score",
    "load_max",
    "load_std",
    "skill_coverage",
)


def trade_off_table(run: ScenarioRun) -> list[dict]:
    """One row per run (baseline first): parameters, figures and the people's changes.

    Returns
    -------
    list of dict
        ``name``, ``params`` (dict), each of :data:`TABLE_COLUMNS`, then ``pairs_kept``,
        ``moved``, ``newly_matched`` and ``newly_unmatched`` (0 for the baseline).
    """
    first = summary_to_dict(run.variants[0].comparison.baseline) if run.variants else None
    rows = []
    if first is not None:
        base = {"name": "baseline", "params": {}, **{c: first[c] for c in TABLE_COLUMNS}}
        base.update(pairs_kept=len(run.baseline.pairs), moved=0, newly_matched=0, newly_unmatched=0)
        rows.append(base)
    for v in run.variants:
        figures = summary_to_dict(v.comparison.variant)
        counts = dict(v.comparison.counts)
        rows.append(
            {
                "name": v.name,
                "params": dict(v.params),
                **{c: figures[c] for c in TABLE_COLUMNS},
                "pairs_kept": v.comparison.pairs_kept,
                "moved": counts[Change.MOVED.value],
                "newly_matched": counts[Change.NEWLY_MATCHED.value],
                "newly_unmatched": counts[Change.NEWLY_UNMATCHED.value],
            }
        )
    return rows


def scenario_run_to_dict(run: ScenarioRun, people: bool = False) -> dict:
    """A :class:`ScenarioRun` as JSON-ready data.

    Parameters
    ----------
    run : the run.
    people : include each comparison's per-mentee list.

    Returns
    -------
    dict
        ``table`` (see :func:`trade_off_table`) and ``comparisons`` (one per variant, see
        :func:`matcher.whatif.compare.comparison_to_dict`, with the variant's ``params``).
    """
    return {
        "table": trade_off_table(run),
        "comparisons": [
            {**comparison_to_dict(v.comparison, people=people), "params": dict(v.params)}
            for v in run.variants
        ],
    }
