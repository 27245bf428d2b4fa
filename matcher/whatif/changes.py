"""Change data -> a new Cohort and Policy: what a scenario or a rematch alters, validated once.

A change set is plain data (a dict from JSON or TOML), every key optional::

    {
      "name": "mentors take 3",                  # a label (scenarios)
      "policy": {"weights": {"goals": 0.5}},     # policy-file sections over the base policy
      "capacity": {
        "all": 3,                                # every mentor who takes part (capacity > 0)
        "departments": {"engineering": 2},       # the mentors of a department
        "mentors": {"M01": 1},                   # one mentor (0: sits this round out)
        "mentees": {"E07": 2}                    # how many mentors a mentee wants
      },
      "remove_mentors": ["M03"], "remove_mentees": ["E12"],
      "add": [{"id": "E99", "role": "mentee", ...}],   # cohort records (JSON form)
      "pin": [["E01", "M02"]], "forbid": [["E05", "M04"]],
      "break": [["E09", "M01"]]                  # a pair that broke up: never re-paired
    }

Order of application: removals, additions, capacities (all, then departments, then single
mentors), the policy sections, then pinned / forbidden / broken pairs (ids refer to the
cohort after additions and removals). A mentor's minimum load above a new capacity is
lowered to it; pinned or forbidden pairs of the base policy that name someone removed are
dropped, since they can no longer apply. Nothing is mutated: new objects are returned.
Every problem is reported at once (:class:`~matcher.model.InputError`) with the dotted
path of the key as ``column``, the value, what was expected and, for an unknown key or id,
the closest known one.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from matcher.io.policy import policy_from_dict
from matcher.io.policy_checks import Checker
from matcher.model import Cohort, ExternalScores, InputError, Policy

KEYS = (
    "name",
    "description",
    "policy",
    "capacity",
    "remove_mentors",
    "remove_mentees",
    "add",
    "pin",
    "forbid",
    "break",
)
CAPACITY_KEYS = ("all", "departments", "mentors", "mentees")


@dataclass(frozen=True)
class Changes:
    """A validated change set, ready to apply to the base it was checked against.

    Attributes
    ----------
    name : the label ("" when none was given).
    policy : the base policy with the change's policy sections applied (pairs not yet added).
    capacity_all : new capacity of every taking-part mentor, or None.
    capacity_departments : (department, capacity) pairs.
    capacity_mentors, wants_mentees : (id, number) pairs.
    remove_mentors, remove_mentees : ids.
    add : the added people as a cohort (mentors and mentees, validated), or None.
    pin, forbid, broken : (mentee_id, mentor_id) pairs.
    """

    name: str = ""
    policy: Policy | None = None
    capacity_all: int | None = None
    capacity_departments: tuple[tuple[str, int], ...] = ()
    capacity_mentors: tuple[tuple[str, int], ...] = ()
    wants_mentees: tuple[tuple[str, int], ...] = ()
    remove_mentors: tuple[str, ...] = ()
    remove_mentees: tuple[str, ...] = ()
    add: Cohort | None = None
    pin: tuple[tuple[str, str], ...] = ()
    forbid: tuple[tuple[str, str], ...] = ()
    broken: tuple[tuple[str, str], ...] = ()


def _hint(value, known) -> str:
    close = difflib.get_close_matches(str(value), list(known), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _ids(v: Checker, column: str, value, known, role: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        v.add(column, value, f"expected a list of {role} ids")
        return ()
    out: list[str] = []
    for k, item in enumerate(value):
        where = f"{column}[{k}]"
        if not isinstance(item, str) or not item.strip():
            v.add(where, item, f"expected a {role} id")
        elif item.strip() not in known:
            v.add(where, item, f"no {role} with this id in the cohort{_hint(item, known)}")
        elif item.strip() in out:
            v.add(where, item, f"{role} listed twice")
        else:
            out.append(item.strip())
    return tuple(out)


def _numbers(v: Checker, column: str, value, known, what: str) -> tuple[tuple[str, int], ...]:
    if not isinstance(value, Mapping):
        v.add(column, value, f"expected a table of {what} = number")
        return ()
    out = []
    for key, number in value.items():
        where = f"{column}.{key}"
        name = str(key).strip()
        if name not in known:
            v.add(where, key, f"unknown {what}{_hint(name, known)}")
        elif (n := v.integer(where, number, low=0)) is not None:
            out.append((name, n))
    return tuple(out)


def _added(v: Checker, column: str, value, cohort: Cohort, policy: Policy) -> Cohort | None:
    """The added people, validated together with the base so repeated ids are caught."""
    from matcher.io.records import cohort_from_records, cohort_to_records

    if not isinstance(value, list | tuple) or not value:
        v.add(column, value, "expected a non-empty list of cohort records (with role)")
        return None
    base = cohort_to_records(cohort)
    try:
        whole = cohort_from_records(
            [*base, *value], aliases=dict(policy.aliases), source=v.source, org_chart=()
        )
    except InputError as error:
        for p in error.problems:
            p = replace(p, message=_base_records(p.message, len(base)))
            if p.row is not None and p.row >= len(base):
                v.problems.append(replace(p, row=p.row - len(base), column=_col(column, p.column)))
            elif p.row is None:
                v.problems.append(replace(p, column=_col(column, p.column)))
            else:  # a base record clashes with an added one (a repeated id)
                v.problems.append(replace(p, row=None, column=_col(column, p.column)))
        return None
    n_m, n_e = len(cohort.mentors), len(cohort.mentees)
    return Cohort(mentors=whole.mentors[n_m:], mentees=whole.mentees[n_e:])


def _base_records(message: str, n_base: int) -> str:
    """Renumber "record N" in a message: added records from 1, base records named as such."""

    def renumber(match):
        n = int(match.group(1))
        return f"record {n - n_base}" if n > n_base else f"record {n} of the base cohort"

    return re.sub(r"record (\d+)", renumber, message)


def _col(prefix: str, column: str | None) -> str:
    return f"{prefix}.{column}" if column else prefix


def _pairs(v: Checker, column: str, value, mentees, mentors) -> tuple[tuple[str, str], ...]:
    pairs = v.pairs(column, value)
    index = {p: k for k, p in enumerate(pairs)}
    out = []
    for e_id, m_id in pairs:
        where = f"{column}[{index[(e_id, m_id)]}]"
        bad = False
        if e_id not in mentees:
            v.add(where, e_id, f"no mentee with this id in the cohort{_hint(e_id, mentees)}")
            bad = True
        if m_id not in mentors:
            v.add(where, m_id, f"no mentor with this id in the cohort{_hint(m_id, mentors)}")
            bad = True
        if not bad:
            out.append((e_id, m_id))
    return tuple(out)


def parse_changes(
    data: Mapping, cohort: Cohort, policy: Policy, *, where: str = "", source: str = "changes"
) -> Changes:
    """Validate change data against the base cohort and policy.

    Parameters
    ----------
    data : the change set (see the module docstring).
    cohort, policy : the base the changes apply to.
    where : a prefix for the key paths in problems (``"scenarios[2]"``).
    source : the problems' ``source`` (a file name, or ``"changes"``).

    Returns
    -------
    Changes

    Raises
    ------
    InputError
        Listing every problem: unknown keys, ids not in the cohort (with the closest id),
        numbers out of range, invalid records, invalid policy sections.
    """
    v = Checker(source, {})
    at = f"{where}." if where else ""
    if not isinstance(data, Mapping):
        v.add(where, data, "expected a table/object of changes")
        raise InputError(v.problems, title="the changes were rejected")
    v.unknown_keys(data, KEYS, at)
    name = data.get("name", "")
    if not isinstance(name, str):
        v.add(f"{at}name", name, "expected a text label")
        name = ""
    new_policy = policy
    if "policy" in data:
        try:
            new_policy = policy_from_dict(data["policy"], policy, source=source)
        except InputError as error:
            v.problems.extend(
                replace(p, column=_col(f"{at}policy", p.column)) for p in error.problems
            )
    mentor_ids, mentee_ids = set(cohort.mentor_ids), set(cohort.mentee_ids)
    removed_m = _ids(v, f"{at}remove_mentors", data.get("remove_mentors", []), mentor_ids, "mentor")
    removed_e = _ids(v, f"{at}remove_mentees", data.get("remove_mentees", []), mentee_ids, "mentee")
    added = _added(v, f"{at}add", data["add"], cohort, new_policy) if "add" in data else None
    mentor_ids = (mentor_ids - set(removed_m)) | set(added.mentor_ids if added else ())
    mentee_ids = (mentee_ids - set(removed_e)) | set(added.mentee_ids if added else ())

    caps: dict = {}
    capacity = data.get("capacity", {})
    if not isinstance(capacity, Mapping):
        v.add(f"{at}capacity", capacity, "expected a table with keys: " + ", ".join(CAPACITY_KEYS))
        capacity = {}
    v.unknown_keys(capacity, CAPACITY_KEYS, f"{at}capacity.")
    if "all" in capacity:
        caps["capacity_all"] = v.integer(f"{at}capacity.all", capacity["all"], low=0)
    departments = {m.department for m in cohort.mentors if m.department}
    if added:
        departments |= {m.department for m in added.mentors if m.department}
    if "departments" in capacity:
        raw = capacity["departments"]
        lowered = (
            {str(k).strip().lower(): n for k, n in raw.items()} if isinstance(raw, Mapping) else raw
        )
        caps["capacity_departments"] = _numbers(
            v, f"{at}capacity.departments", lowered, departments, "department"
        )
    for key, field, known, what in (
        ("mentors", "capacity_mentors", mentor_ids, "mentor id"),
        ("mentees", "wants_mentees", mentee_ids, "mentee id"),
    ):
        if key in capacity:
            caps[field] = _numbers(v, f"{at}capacity.{key}", capacity[key], known, what)

    pairs = {}
    for key, field in (("pin", "pin"), ("forbid", "forbid"), ("break", "broken")):
        if key in data:
            pairs[field] = _pairs(v, f"{at}{key}", data[key], mentee_ids, mentor_ids)
    clash = set(pairs.get("pin", ())) & (
        set(pairs.get("forbid", ())) | set(pairs.get("broken", ()))
    )
    for e_id, m_id in sorted(clash):
        v.add(f"{at}pin", [e_id, m_id], "a pair cannot be both pinned and forbidden or broken")
    if v.problems:
        raise InputError(v.problems, title="the changes were rejected")
    caps = {k: val for k, val in caps.items() if val is not None}
    return Changes(
        name=name.strip(),
        policy=new_policy,
        remove_mentors=removed_m,
        remove_mentees=removed_e,
        add=added,
        **caps,
        **pairs,
    )


def _subset_scores(scores: ExternalScores | None, keep_e, keep_m, n_e: int, n_m: int):
    """External scores re-indexed to the kept people (added people have none)."""
    if scores is None:
        return None
    new_e = np.full(n_e, -1, np.int64)
    new_e[keep_e] = np.arange(len(keep_e))
    new_m = np.full(n_m, -1, np.int64)
    new_m[keep_m] = np.arange(len(keep_m))
    e, m = new_e[scores.mentee_index], new_m[scores.mentor_index]
    ok = (e >= 0) & (m >= 0)
    return ExternalScores(e[ok], m[ok], scores.value[ok])


def apply_changes(cohort: Cohort, policy: Policy, changes: Changes) -> tuple[Cohort, Policy]:
    """The new cohort and policy after ``changes`` (the inputs are not modified).

    Parameters
    ----------
    cohort, policy : the base that ``changes`` was validated against.
    changes : from :func:`parse_changes`.

    Returns
    -------
    (Cohort, Policy)
    """
    gone_m, gone_e = set(changes.remove_mentors), set(changes.remove_mentees)
    keep_m = [j for j, m in enumerate(cohort.mentors) if m.id not in gone_m]
    keep_e = [i for i, e in enumerate(cohort.mentees) if e.id not in gone_e]
    mentors = [cohort.mentors[j] for j in keep_m]
    mentees = [cohort.mentees[i] for i in keep_e]
    if changes.add is not None:
        mentors += changes.add.mentors
        mentees += changes.add.mentees
    dept_caps = dict(changes.capacity_departments)
    one_caps = dict(changes.capacity_mentors)

    def mentor_capacity(m):
        cap = m.capacity
        if changes.capacity_all is not None and cap > 0:
            cap = changes.capacity_all
        cap = dept_caps.get(m.department, cap) if m.department else cap
        cap = one_caps.get(m.id, cap)
        if cap == m.capacity:
            return m
        return replace(m, capacity=cap, min_capacity=min(m.min_capacity, cap))

    wants = dict(changes.wants_mentees)
    # People who leave the programme stay in the management chain: E reports to M who
    # reports to N is still a reporting chain from E to N after M leaves.
    leavers = [
        (p.id, p.manager_id)
        for p in (*cohort.mentors, *cohort.mentees)
        if p.id in gone_m | gone_e and p.manager_id
    ]
    chart = cohort.org_chart + tuple(e for e in leavers if e not in set(cohort.org_chart))
    new = Cohort(
        mentors=tuple(mentor_capacity(m) for m in mentors),
        mentees=tuple(replace(e, capacity=wants[e.id]) if e.id in wants else e for e in mentees),
        org_chart=chart,
        external_scores=_subset_scores(
            cohort.external_scores, keep_e, keep_m, len(cohort.mentees), len(cohort.mentors)
        ),
    )
    base = changes.policy or policy
    present_e, present_m = set(new.mentee_ids), set(new.mentor_ids)

    def still(pairs):
        return tuple(p for p in pairs if p[0] in present_e and p[1] in present_m)

    new_forbid = [*changes.forbid, *changes.broken]
    forbidden = tuple(p for p in still(base.forbidden_pairs) if p not in set(changes.pin))
    pinned = tuple(p for p in still(base.pinned_pairs) if p not in set(new_forbid))
    new_policy = replace(
        base,
        forbidden_pairs=forbidden + tuple(p for p in new_forbid if p not in set(forbidden)),
        pinned_pairs=pinned + tuple(p for p in changes.pin if p not in set(pinned)),
    )
    return new, new_policy


def changed(data: Mapping, cohort: Cohort, policy: Policy, **options: str) -> tuple[Cohort, Policy]:
    """Validate and apply change data in one step (see :func:`parse_changes`).

    Parameters
    ----------
    data, cohort, policy : as for :func:`parse_changes`.
    **options : ``where`` and ``source``, passed on to :func:`parse_changes`.

    Returns
    -------
    (Cohort, Policy)

    Raises
    ------
    InputError
        As :func:`parse_changes`.
    """
    return apply_changes(cohort, policy, parse_changes(data, cohort, policy, **options))
