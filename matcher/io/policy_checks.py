"""Validation of policy-file sections: each check collects Problems and returns clean values.

Job: the key-by-key rules behind :func:`matcher.io.policy.policy_from_dict` — types (a bool
is not a number), ranges, enums, id pairs, tag aliases and related skills — plus locating
a dotted key's line in a TOML text. Nothing here raises: :class:`Checker` gathers every
problem and the caller raises one InputError.
"""

from __future__ import annotations

import difflib
import importlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import fields
from enum import StrEnum

from matcher.model import (
    WEIGHT_KEYS,
    DepartmentRule,
    Objective,
    Policy,
    Problem,
    Proposer,
    SeniorityRule,
    SolverChoice,
    Weights,
)

MAX_SEED = 2**31 - 1  # CP-SAT takes a 32-bit random seed
NO_LIMIT = "none"
_BOOL_RULES = ("honour_exclude", "no_reporting_chain", "require_shared_language")


def section_changes(v: Checker, sections: Mapping[str, Mapping], start: Policy) -> dict:
    """Policy field changes asked for by the (already key-checked) sections.

    Parameters
    ----------
    v : the Checker collecting problems.
    sections : section name -> mapping of keys (missing sections as empty mappings).
    start : the Policy the changes apply over.

    Returns
    -------
    dict
        Keyword arguments for ``dataclasses.replace(start, ...)``; only meaningful when
        ``v.problems`` stays empty.
    """
    changes = {}
    changes.update(_weights(v, sections["weights"], start.weights))
    changes.update(_seniority(v, sections["seniority"], start.seniority))
    changes.update(_rules(v, sections["rules"], start))
    if "department" in sections["preferences"]:
        changes["department_preference"] = v.choice(
            "preferences.department", sections["preferences"]["department"], DepartmentRule
        )
    changes.update(_tags(v, sections["tags"], start))
    changes.update(_solver(v, sections["solver"]))
    return changes


# --------------------------------------------------------------------------- sections


def _weights(v: Checker, section: Mapping, start: Weights) -> dict:
    values = {f.name: getattr(start, f.name) for f in fields(Weights)}
    ok = True
    for name in WEIGHT_KEYS:
        if name in section:
            number = v.number(f"weights.{name}", section[name], low=0.0)
            ok = ok and number is not None
            values[name] = number
    if not section:
        return {}
    if ok and not any(w > 0 for w in values.values()):
        v.add("weights", section, "expected at least one weight above 0")
    return {"weights": Weights(**values)} if ok else {}


def _seniority(v: Checker, section: Mapping, start: SeniorityRule) -> dict:
    values = {f.name: getattr(start, f.name) for f in fields(SeniorityRule)}
    for name in ("min_gap", "max_gap"):
        if name in section:
            values[name] = v.integer(f"seniority.{name}", section[name], optional=True)
    if "ideal_gap" in section:
        values["ideal_gap"] = v.integer("seniority.ideal_gap", section["ideal_gap"])
    if "tolerance" in section:
        values["tolerance"] = v.integer("seniority.tolerance", section["tolerance"], low=1)
    lo, hi = values["min_gap"], values["max_gap"]
    if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
        v.add("seniority.min_gap", lo, f"expected min_gap <= max_gap ({hi})")
    return {"seniority": SeniorityRule(**values)} if section else {}


def _rules(v: Checker, section: Mapping, start: Policy) -> dict:
    out = {}
    if "forbidden_pairs" in section:
        out["forbidden_pairs"] = v.pairs("rules.forbidden_pairs", section["forbidden_pairs"])
    forbidden = frozenset(out.get("forbidden_pairs", start.forbidden_pairs))
    if "pinned_pairs" in section:
        out["pinned_pairs"] = v.pairs("rules.pinned_pairs", section["pinned_pairs"], forbidden)
    else:
        for pair in start.pinned_pairs:
            if pair in forbidden:
                v.add("rules.forbidden_pairs", list(pair), "this pair is pinned: unpin it first")
    for name in _BOOL_RULES:
        if name in section:
            out[name] = v.boolean(f"rules.{name}", section[name])
    if "max_timezone_diff_hours" in section:
        out["max_timezone_diff_hours"] = v.number(
            "rules.max_timezone_diff_hours",
            section["max_timezone_diff_hours"],
            low=0.0,
            high=26.0,
            optional=True,
        )
    if "department" in section:
        out["department_rule"] = v.choice("rules.department", section["department"], DepartmentRule)
    if "max_per_department" in section:
        out["max_per_department"] = v.integer(
            "rules.max_per_department", section["max_per_department"], low=1, optional=True
        )
    return out


def _tags(v: Checker, section: Mapping, start: Policy) -> dict:
    out = {}
    aliases: dict[str, str] = {} if "aliases" in section else dict(start.aliases)
    if "aliases" in section:
        raw = section["aliases"]
        if not isinstance(raw, Mapping):
            v.add("tags.aliases", raw, 'expected a table like {js = "javascript"}')
            raw = {}
        for key, target in raw.items():
            where = f"tags.aliases.{key}"
            if not isinstance(target, str) or not normalise(target):
                v.add(where, target, "expected a non-empty tag name")
                continue
            k, t = normalise(key), normalise(target)
            if not k:
                v.add(where, key, "expected a non-empty alias")
            elif k in aliases and aliases[k] != t:
                v.add(where, target, f"alias {k!r} already maps to {aliases[k]!r}")
            else:
                aliases[k] = t
        for k, t in aliases.items():
            if t in aliases and aliases[t] != t:
                v.add(
                    f"tags.aliases.{k}", t, f"point straight at {aliases[t]!r} ({t!r} is an alias)"
                )
        out["aliases"] = tuple(aliases.items())
    if "related_skills" in section:
        out["related_skills"] = v.related(section["related_skills"], aliases)
    return out


def _solver(v: Checker, section: Mapping) -> dict:
    out = {}
    for name, enum in (("objective", Objective), ("solver", SolverChoice), ("proposer", Proposer)):
        if name in section:
            out[name] = v.choice(f"solver.{name}", section[name], enum)
    if "time_limit_seconds" in section:
        out["time_limit_seconds"] = v.number(
            "solver.time_limit_seconds", section["time_limit_seconds"], low=0.0, open_low=True
        )
    if "seed" in section:
        out["seed"] = v.integer("solver.seed", section["seed"], low=0, high=MAX_SEED)
    if "scores_only" in section:
        out["scores_only"] = v.boolean("solver.scores_only", section["scores_only"])
    group_fair = out.get("objective") is Objective.GROUP_FAIR
    if "by" in section:
        by = section["by"]
        if not group_fair:
            v.add("solver.by", by, 'goes with objective = "group-fair"; remove it or set that')
        elif not isinstance(by, str) or not by.strip():
            v.add("solver.by", by, "expected department, location, seniority or an attribute")
        else:
            out["fair_by"] = by.strip()
    elif group_fair:
        v.add("solver.by", None, "objective group-fair needs by = department, location, ...")
    return out


# --------------------------------------------------------------------------- checks


class Checker:
    """Collects problems; each check returns the cleaned value (or None when rejected)."""

    def __init__(self, source: str, lines: Mapping[str, int]):
        self.source = source
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, column: str, value, expected: str) -> None:
        line, path = None, re.sub(r"\[\d+\]$", "", column)
        while path and line is None:
            line = self.lines.get(path)
            path = path.rpartition(".")[0]
        self.problems.append(
            Problem(
                expected, line=line, column=column or None, value=show(value), source=self.source
            )
        )

    def unknown_keys(self, data: Mapping, known: tuple[str, ...], prefix: str) -> None:
        for key in data:
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'? " if close else ""
                self.add(f"{prefix}{key}", key, f"unknown key; {hint}known: {', '.join(known)}")

    def number(self, column, value, low=None, high=None, open_low=False, optional=False):
        if optional and is_none(value):
            return None
        lo = "" if low is None else f" {'>' if open_low else '>='} {low:g}"
        rng = f" from {low:g} to {high:g}" if high is not None else lo
        expected = f"expected a number{rng}" + (' or "none"' if optional else "")
        if isinstance(value, bool) or not isinstance(value, int | float):
            return self.add(column, value, expected)
        x = float(value)
        below = low is not None and (x < low or (open_low and x == low))
        if not math.isfinite(x) or below or (high is not None and x > high):
            return self.add(column, value, expected)
        return x

    def integer(self, column, value, low=None, high=None, optional=False):
        if optional and is_none(value):
            return None
        rng = (
            f" from {low} to {high}"
            if high is not None
            else f" >= {low}"
            if low is not None
            else ""
        )
        expected = f"expected a whole number{rng}" + (' or "none"' if optional else "")
        if isinstance(value, bool) or not isinstance(value, int):
            return self.add(column, value, expected)
        if (low is not None and value < low) or (high is not None and value > high):
            return self.add(column, value, expected)
        return value

    def boolean(self, column, value):
        if isinstance(value, bool):
            return value
        return self.add(column, value, "expected true or false")

    def choice(self, column, value, enum: type[StrEnum]):
        options = [e.value for e in enum]
        if isinstance(value, str) and value.strip().lower() in options:
            return enum(value.strip().lower())
        return self.add(column, value, f"expected one of: {', '.join(options)}")

    def pairs(self, column, value, forbidden=frozenset()) -> tuple[tuple[str, str], ...]:
        expected = 'expected a ["mentee_id", "mentor_id"] pair of ids'
        if not isinstance(value, list | tuple):
            self.add(column, value, 'expected a list of ["mentee_id", "mentor_id"] pairs')
            return ()
        seen: dict[tuple[str, str], int] = {}
        for i, item in enumerate(value):
            ok = isinstance(item, list | tuple) and len(item) == 2
            ids = tuple(x.strip() for x in item if isinstance(x, str)) if ok else ()
            if len(ids) != 2 or not all(ids):
                self.add(f"{column}[{i}]", item, expected)
            elif ids[0] == ids[1]:
                self.add(f"{column}[{i}]", item, "expected two different ids (mentee, mentor)")
            elif ids in seen:
                self.add(f"{column}[{i}]", item, f"duplicate of pair [{seen[ids]}]")
            elif ids in forbidden:
                self.add(f"{column}[{i}]", item, "a pair cannot be both pinned and forbidden")
            else:
                seen[ids] = i
        return tuple(seen)

    def related(self, value, aliases: Mapping[str, str]):
        column = "tags.related_skills"
        expected = "expected [skill, related skill, credit] with credit > 0 and <= 1"
        if not isinstance(value, list | tuple):
            self.add(column, value, "expected a list of " + expected[9:])
            return ()
        out: dict[frozenset, tuple[str, str, float]] = {}
        for i, item in enumerate(value):
            where = f"{column}[{i}]"
            if not (isinstance(item, list | tuple) and len(item) == 3):
                self.add(where, item, expected)
                continue
            a, b, credit = item
            names = [normalise(x, aliases) if isinstance(x, str) else "" for x in (a, b)]
            good = not isinstance(credit, bool) and isinstance(credit, int | float)
            if not all(names) or not good or not 0 < credit <= 1:
                self.add(where, item, expected)
            elif names[0] == names[1]:
                self.add(where, item, "expected two different skills")
            elif frozenset(names) in out:
                self.add(where, item, "duplicate: related skills work both ways, list a pair once")
            else:
                out[frozenset(names)] = (names[0], names[1], float(credit))
        return tuple(out.values())


def is_none(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() == NO_LIMIT)


def show(value) -> str | None:
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    return text[:80]


def normalise(text: str, aliases: Mapping[str, str] | None = None) -> str:
    """Normalise a tag like the cohort reader: ``matcher.io.records.normalise_tag`` when that
    module exists, else the same rule locally (lower case, strip, collapse whitespace,
    then one alias lookup)."""
    try:
        records = importlib.import_module("matcher.io.records")
    except ImportError:
        tag = " ".join(text.lower().split())
        return (aliases or {}).get(tag, tag)
    return records.normalise_tag(text, aliases)


def toml_key_lines(text: str) -> dict[str, int]:
    """Best-effort map from dotted key path to its 1-based line in a TOML text."""
    lines: dict[str, int] = {}
    section = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        head = re.fullmatch(r"\[\s*([A-Za-z0-9_.\- ]+?)\s*\](\s*#.*)?", line)
        if head:
            section = head.group(1).replace(" ", "")
            lines.setdefault(section, number)
            continue
        key = re.match(r'([A-Za-z0-9_\-."]+)\s*=', line)
        if key:
            name = key.group(1).replace('"', "")
            lines.setdefault(f"{section}.{name}" if section else name, number)
    return lines
