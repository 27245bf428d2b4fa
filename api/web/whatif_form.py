"""The what-if form, to and from the scenario request the JSON API takes
(``POST /api/v1/cohorts/{id}/scenarios``, checked by :func:`api.whatif.plan_scenario`).

A coordinator describes up to :data:`ROWS` variants of the draft, each a change set
(:mod:`matcher.whatif.changes`): a name, places for every mentor, places of single
mentors (``M01=3, M04=0``), weights (``skills=2, goals=0.5``), hard rules switched on or
off, people removed, and, for anything else (people added, pins), the change set as JSON.
A sweep varies one setting over several values (the request's ``vary``). Empty boxes
change nothing. What the form itself cannot read is a :class:`~matcher.model.Problem`
naming the box; everything else is the core's to check, with the request's key paths.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from api.web.policy_form import SWITCHES, WEIGHTS
from matcher.model import Problem
from matcher.whatif.sweep import parse_value

ROWS = 3
SOURCE = "what-if form"
SWEEPS = (
    ("capacity.all", "Places every mentor offers"),
    *((f"weights.{key}", f"Weight: {text.lower()}") for key, text in WEIGHTS),
    ("seniority.min_gap", "Mentor at least this many levels above the mentee"),
    ("rules.max_timezone_diff_hours", "Time zones at most this many hours apart"),
    ("rules.max_per_department", "At most this many mentees of one department per mentor"),
)
RULE_CHOICES = (("", "as in the draft"), ("on", "on"), ("off", "off"))
BOXES = {
    "name": "Name",
    "capacity_all": "Places every mentor offers",
    "mentors": "Places of single mentors",
    "weights": "Weights",
    "remove_mentors": "Mentors who leave",
    "remove_mentees": "Mentees who leave",
    "json": "More changes (JSON)",
}


def _problem(k: int, box: str, value: str, expected: str) -> Problem:
    return Problem(expected, column=f"variant {k + 1}: {BOXES[box]}", value=value, source=SOURCE)


def _assignments(text: str, k: int, box: str, kind, problems: list) -> dict:
    """``KEY=NUMBER, KEY=NUMBER`` as a dict; each unreadable item is one problem."""
    out = {}
    for item in (part.strip() for part in text.replace("\n", ",").split(",")):
        if not item:
            continue
        key, sep, value = (s.strip() for s in item.partition("="))
        try:
            if not (sep and key):
                raise ValueError
            out[key] = kind(value)
        except ValueError:
            word = "a whole number" if kind is int else "a number"
            problems.append(_problem(k, box, item, f"expected KEY={word}, e.g. M01=3"))
    return out


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def _variant(form: Mapping, k: int, problems: list) -> dict | None:
    """The change set of row ``k`` (None when the row is empty)."""
    get = lambda box: (form.get(f"v{k}-{box}") or "").strip()  # noqa: E731
    changes: dict = {}
    capacity: dict = {}
    if text := get("capacity_all"):
        try:
            capacity["all"] = int(text)
        except ValueError:
            problems.append(_problem(k, "capacity_all", text, "expected a whole number"))
    if mentors := _assignments(get("mentors"), k, "mentors", int, problems):
        capacity["mentors"] = mentors
    if capacity:
        changes["capacity"] = capacity
    policy: dict = {}
    if weights := _assignments(get("weights"), k, "weights", float, problems):
        policy["weights"] = weights
    said = {key: form.get(f"v{k}-rule-{key}") for key, _ in SWITCHES}
    rules = {key: word == "on" for key, word in said.items() if word in ("on", "off")}
    if rules:
        policy["rules"] = rules
    if policy:
        changes["policy"] = policy
    for box in ("remove_mentors", "remove_mentees"):
        if ids := _ids(get(box)):
            changes[box] = ids
    if text := get("json"):
        try:
            more = json.loads(text)
            if not isinstance(more, dict):
                raise ValueError
        except ValueError:
            expected = 'expected a JSON object, e.g. {"add": [...], "pin": [["E01", "M02"]]}'
            problems.append(_problem(k, "json", text[:80], expected))
        else:
            changes = _merged(more, changes)
    if not changes and not get("name"):
        return None
    changes["name"] = get("name") or changes.get("name") or f"variant {k + 1}"
    return changes


def _merged(base: dict, over: dict) -> dict:
    """``over``'s keys over ``base`` (nested dicts merged)."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


def scenario_request(form: Mapping, policy: dict) -> tuple[dict, list[Problem]]:
    """The scenario request of the form over the draft's ``policy``, and the problems the
    form itself finds (an empty form is one: nothing to compare)."""
    problems: list[Problem] = []
    variants = [v for k in range(ROWS) if (v := _variant(form, k, problems)) is not None]
    data: dict = {"policy": policy}
    if variants:
        data["scenarios"] = variants
    key = (form.get("vary-key") or "").strip()
    values = [parse_value(v) for v in _ids(form.get("vary-values") or "")]
    if key and values:
        data["vary"] = {key: values}
    elif key or values:
        column = "Vary: values" if key else "Vary: setting"
        expected = "choose a setting and give its values, e.g. 1, 2, 3"
        problems.append(Problem(expected, column=column, value=key or "", source=SOURCE))
    if not variants and "vary" not in data and not problems:
        expected = "describe at least one variant, or a setting to vary"
        problems.append(Problem(expected, column="variants", value="", source=SOURCE))
    return data, problems
