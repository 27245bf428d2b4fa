"""Program presets and policy files: turn a coordinator's TOML/JSON into a validated Policy.

Job: own every rule about what a policy file may say. :func:`preset` gives the two program
types; :func:`policy_from_dict` applies a file's keys over a preset, collecting *every*
problem into one :class:`~matcher.model.InputError`; :func:`policy_to_dict` writes a Policy
back so that ``policy_from_dict(policy_to_dict(p)) == p``.

Presets
-------
* ``coaching`` (3-6 months, discrete skills): skills weigh most; a near-peer mentor
  (ideal gap 1, never junior) is best.
* ``mentoring`` (9+ months, career-wide): goals and a healthy seniority gap (ideal 3, at
  least 1) weigh most; a mentor from another department is preferred; never someone in
  the mentee's management chain. Tuned beyond the brief: ``require_shared_language`` is on,
  because nine months of conversations need a common language (people who list no
  languages are never excluded by it), and the language weight is therefore 0.

File form (every key optional; a section's keys replace the preset's values one by one)::

    program = "mentoring"          # the preset to start from (default "coaching")
    [weights]                      # any of model.WEIGHT_KEYS, numbers >= 0, not all 0
    [seniority]                    # min_gap, max_gap, ideal_gap, tolerance
    [rules]                        # forbidden_pairs, pinned_pairs, honour_exclude, ...
    [preferences]                  # department = "any" | "same" | "different"
    [tags]                         # aliases = {js = "javascript"}, related_skills = [...]
    [solver]                       # objective, solver, proposer, time_limit_seconds, ...
    [history]                      # mode = "ignore" | "avoid" | "prefer", bonus (0..1,
                                   # default 0.1), previous_pairs = [[mentee, mentor], ...]
    [[attributes]]                 # rules over the programme's own questions (one table
                                   # each: attribute, rule, weight, mentor_attribute, within)

"No limit" is written ``null`` in JSON or ``"none"`` in TOML (TOML has no null), for
``seniority.min_gap``/``max_gap``, ``rules.max_timezone_diff_hours`` and
``rules.max_per_department``. Tag names are normalised like cohort tags (lower case,
trimmed, inner whitespace collapsed); related-skill names also go through the aliases.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from matcher.io.policy_checks import Checker, section_changes, show, toml_key_lines
from matcher.model import (
    WEIGHT_KEYS,
    DepartmentRule,
    History,
    InputError,
    Policy,
    Problem,
    SeniorityRule,
    Weights,
)

PRESETS: dict[str, Policy] = {
    "coaching": Policy(
        program="coaching",
        weights=Weights(
            skills=0.55, goals=0.1, seniority=0.1, timezone=0.1, language=0.05, preference=0.1
        ),
        seniority=SeniorityRule(min_gap=0, ideal_gap=1),
        department_preference=DepartmentRule.ANY,
        time_limit_seconds=30.0,
    ),
    "mentoring": Policy(
        program="mentoring",
        weights=Weights(
            goals=0.35, seniority=0.25, skills=0.15, department=0.1, timezone=0.05, preference=0.1
        ),
        seniority=SeniorityRule(min_gap=1, ideal_gap=3),
        no_reporting_chain=True,
        require_shared_language=True,
        department_preference=DepartmentRule.DIFFERENT,
        time_limit_seconds=30.0,
    ),
}

_SECTIONS: dict[str, tuple[str, ...]] = {
    "weights": WEIGHT_KEYS,
    "seniority": ("min_gap", "max_gap", "ideal_gap", "tolerance"),
    "rules": (
        "forbidden_pairs",
        "pinned_pairs",
        "honour_exclude",
        "no_reporting_chain",
        "require_shared_language",
        "max_timezone_diff_hours",
        "department",
        "max_per_department",
    ),
    "preferences": ("department",),
    "tags": ("aliases", "related_skills"),
    "solver": (
        "objective",
        "by",
        "solver",
        "proposer",
        "time_limit_seconds",
        "seed",
        "scores_only",
    ),
    "history": ("mode", "bonus", "previous_pairs"),
}
_TOP_KEYS = ("program", *_SECTIONS, "attributes")
_NO_HISTORY = (Policy().history, Policy().history_bonus, Policy().previous_pairs)


def preset(name: str) -> Policy:
    """The preset Policy for a program type.

    Parameters
    ----------
    name : ``"coaching"`` or ``"mentoring"`` (case and surrounding spaces ignored).

    Returns
    -------
    Policy

    Raises
    ------
    InputError
        If the name is not a known preset; the problem lists the known ones.
    """
    key = name.strip().lower() if isinstance(name, str) else None
    if key in PRESETS:
        return PRESETS[key]
    raise InputError(
        [
            Problem(
                f"unknown program; expected one of: {', '.join(PRESETS)}",
                column="program",
                value=show(name),
                source="policy",
            )
        ],
        title="unknown program preset",
    )


def load_policy(path: str | Path) -> Policy:
    """Read a policy file (``.toml`` or ``.json``) and apply it over its preset.

    Parameters
    ----------
    path : the file; its extension picks the format.

    Returns
    -------
    Policy

    Raises
    ------
    InputError
        For an unknown extension, an unreadable or unparseable file (with the line), or any
        invalid key or value (all problems at once; ``source`` is the file name).
    """
    path = Path(path)
    source = path.name
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise InputError(
            [Problem("expected a .toml or .json policy file", value=source, source=source)],
            title="policy file rejected",
        )
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except OSError as exc:
        problem = Problem(f"cannot read the file: {exc.strerror or exc}", source=source)
        raise InputError([problem], title="policy file rejected") from None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        problem = Problem("expected UTF-8 text", line=line, source=source)
        raise InputError([problem], title="policy file rejected") from None
    try:
        data = tomllib.loads(text) if suffix == ".toml" else json.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        problem = Problem(
            f"not valid TOML: {exc}", line=int(line.group(1)) if line else None, source=source
        )
        raise InputError([problem], title="policy file rejected") from None
    except json.JSONDecodeError as exc:
        problem = Problem(f"not valid JSON: {exc.msg}", line=exc.lineno, source=source)
        raise InputError([problem], title="policy file rejected") from None
    lines = toml_key_lines(text) if suffix == ".toml" else {}
    return _from_dict(data, None, source, lines)


def policy_from_dict(
    data: Mapping, base: Policy | None = None, *, source: str = "policy"
) -> Policy:
    """Apply a policy mapping (the file structure) over a starting Policy.

    The start is the preset named by ``data["program"]`` when that key is given, else
    ``base`` when given, else the ``coaching`` preset.

    Parameters
    ----------
    data : the parsed file, e.g. ``{"program": "mentoring", "weights": {"skills": 0.4}}``.
    base : the Policy to start from when ``data`` names no program.
    source : the name problems carry (a file name, or ``"policy"``).

    Returns
    -------
    Policy

    Raises
    ------
    InputError
        Listing every problem: unknown keys (with the closest known key), wrong types,
        out-of-range values, contradictory rules. ``column`` is the dotted key path.
    """
    return _from_dict(data, base, source, {})


def _from_dict(data, base: Policy | None, source: str, lines: Mapping[str, int]) -> Policy:
    v = Checker(source, lines)
    if not isinstance(data, Mapping):
        v.add("", data, "expected a table/object of policy sections")
        raise InputError(v.problems, title="policy rejected")
    v.unknown_keys(data, _TOP_KEYS, "")
    start = base if base is not None else PRESETS["coaching"]
    if "program" in data:
        name = data["program"]
        if isinstance(name, str) and name.strip().lower() in PRESETS:
            start = PRESETS[name.strip().lower()]
        else:
            v.add("program", name, f"expected one of: {', '.join(PRESETS)}")
    sections = {}
    for name in _SECTIONS:
        section = data.get(name, {})
        if not isinstance(section, Mapping):
            v.add(name, section, f"expected a [{name}] table of keys")
            section = {}
        v.unknown_keys(section, _SECTIONS[name], name + ".")
        sections[name] = section
    changes = section_changes(v, sections, start)
    changes.update(_history(v, sections["history"]))
    if "attributes" in data:
        from matcher.io.attribute_rules import parse_attribute_rules

        changes["attributes"] = parse_attribute_rules(v, data["attributes"])
    if v.problems:
        raise InputError(v.problems, title="policy rejected")
    return replace(start, **changes)


def _history(v: Checker, section: Mapping) -> dict:
    """Policy changes of the ``[history]`` section (earlier pairs need not be in the cohort)."""
    out = {}
    if "mode" in section:
        out["history"] = v.choice("history.mode", section["mode"], History)
    if "bonus" in section:
        out["history_bonus"] = v.number("history.bonus", section["bonus"], low=0.0, high=1.0)
    if "previous_pairs" in section:
        out["previous_pairs"] = v.pairs("history.previous_pairs", section["previous_pairs"])
    return out


def policy_to_dict(policy: Policy) -> dict:
    """The file structure of a Policy (JSON-ready; ``None`` means no limit).

    Parameters
    ----------
    policy : any Policy whose ``program`` names a preset.

    Returns
    -------
    dict
        Every section and key, so that ``policy_from_dict(policy_to_dict(p)) == p``; the
        ``history`` section only when it differs from the default (ignore, no pairs).
    """
    from matcher.io.attribute_rules import attribute_rules_to_list

    s = policy.seniority
    out = {
        "program": policy.program,
        "weights": {name: float(getattr(policy.weights, name)) for name in WEIGHT_KEYS},
        "seniority": {
            "min_gap": s.min_gap,
            "max_gap": s.max_gap,
            "ideal_gap": s.ideal_gap,
            "tolerance": s.tolerance,
        },
        "rules": {
            "forbidden_pairs": [list(p) for p in policy.forbidden_pairs],
            "pinned_pairs": [list(p) for p in policy.pinned_pairs],
            "honour_exclude": policy.honour_exclude,
            "no_reporting_chain": policy.no_reporting_chain,
            "require_shared_language": policy.require_shared_language,
            "max_timezone_diff_hours": policy.max_timezone_diff_hours,
            "department": policy.department_rule.value,
            "max_per_department": policy.max_per_department,
        },
        "preferences": {"department": policy.department_preference.value},
        "tags": {
            "aliases": dict(policy.aliases),
            "related_skills": [[a, b, float(c)] for a, b, c in policy.related_skills],
        },
        "solver": {
            "objective": policy.objective.value,
            "solver": policy.solver.value,
            "proposer": policy.proposer.value,
            "time_limit_seconds": float(policy.time_limit_seconds),
            "seed": policy.seed,
            "scores_only": policy.scores_only,
            **({"by": policy.fair_by} if policy.fair_by is not None else {}),
        },
        "attributes": attribute_rules_to_list(policy.attributes),
    }
    if (policy.history, policy.history_bonus, policy.previous_pairs) != _NO_HISTORY:
        # Only when set, so that policies (and receipts' digests) without history keep
        # the form they had before the section existed.
        out["history"] = {
            "mode": policy.history.value,
            "bonus": float(policy.history_bonus),
            "previous_pairs": [list(p) for p in policy.previous_pairs],
        }
    return out
