"""Encode a cohort once into the numpy arrays :mod:`matcher.encode.scoring` reads.

:func:`encode` adds to the per-person arrays of :mod:`matcher.encode.person_arrays` what the soft
score needs: the skill credit table (one row per (mentee level, skill) someone wants,
holding every mentor's credit for it), the goal table, seniority and timezone code
tables, and stated preferences as sorted pair keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from matcher.encode.attributes import AttributeTables
from matcher.encode.cells import sorted_lookup
from matcher.encode.person_arrays import (
    PersonArrays,
    circular_minutes,
    padded,
    preference_lists,
    tag_table,
)
from matcher.model import COMPONENTS, Cohort, DepartmentRule, Policy, Weights

# --------------------------------------------------------------------------- tables


@dataclass(frozen=True, eq=False)
class ScoreTables:
    """Everything :mod:`matcher.encode.scoring` needs, encoded once.

    ``skill_table`` has one row per (mentee level, skill) some mentee wants, holding each
    mentor's credit for it, plus a zero pad row; ``skill_rows``/``skill_count`` list each
    mentee's rows. Goals use the same layout (0/1). Seniority and timezone scores are small
    code tables ``(n_mentee codes, n_mentor codes)``. Stated preferences are sorted pair
    keys with the pair's preference component.
    """

    persons: PersonArrays
    weights: Weights
    scores_only: bool
    active: tuple[str, ...]
    skills: tuple[str, ...]
    skill_table: np.ndarray
    skill_rows: np.ndarray
    skill_count: np.ndarray
    goals: tuple[str, ...]
    goal_table: np.ndarray
    goal_rows: np.ndarray
    goal_count: np.ndarray
    sen_table: np.ndarray
    e_sen_code: np.ndarray
    m_sen_code: np.ndarray
    tz_table: np.ndarray
    e_tz_code: np.ndarray
    m_tz_code: np.ndarray
    department_preference: DepartmentRule
    pref_keys: np.ndarray
    pref_values: np.ndarray
    dept_table: np.ndarray | None = None
    loc_table: np.ndarray | None = None
    attributes: AttributeTables = AttributeTables()

    @property
    def shape(self) -> tuple[int, int]:
        return self.persons.shape


def active_components(weights: Weights, scores_only: bool = False) -> tuple[str, ...]:
    """Component names with a positive weight, in :data:`matcher.model.COMPONENTS` order.

    Parameters
    ----------
    weights : the policy's weights.
    scores_only : when True, ``"external"`` is included whatever its weight.

    Returns
    -------
    tuple of str
    """
    return tuple(
        c for c in COMPONENTS if getattr(weights, c) > 0 or (scores_only and c == "external")
    )


def total_steps(f: ScoreTables, tables: dict) -> tuple[list[tuple[str, str, float, tuple]], float]:
    """How a block's weighted total adds the active components, in order, and its divisor.

    Parameters
    ----------
    f : the score tables.
    tables : the weighted code tables (:func:`matcher.encode.scoring.weighted_tables`).

    Returns
    -------
    (steps, weight_sum)
        ``steps`` are ``(kind, name, weight, source)``: ``"table"`` reads ``source =
        (weighted table, mentee codes, mentor codes)``; ``"credit"`` is the mean tag credit
        of ``source = (table, rows, count)``; ``"listed"`` adds ``weight * value`` at the
        listed pairs of ``source = (keys, values)`` only (preference and external after the
        first component: adding ``w * 0.0`` elsewhere changes nothing); ``"computed"`` is
        the component's own function. ``weight_sum`` adds the weights in the same order.
    """
    steps, weight_sum = [], 0.0
    for k, name in enumerate(active_components(f.weights)):
        w = float(getattr(f.weights, name))
        weight_sum += w
        if name in tables:
            steps.append(("table", name, w, tables[name]))
        elif name == "skills":
            steps.append(("credit", name, w, (f.skill_table, f.skill_rows, f.skill_count)))
        elif name == "goals":
            steps.append(("credit", name, w, (f.goal_table, f.goal_rows, f.goal_count)))
        elif name == "preference" and k > 0:
            steps.append(("listed", name, w, (f.pref_keys, f.pref_values)))
        elif name == "external" and k > 0:
            steps.append(("listed", name, w, (f.persons.ext_keys, f.persons.ext_values)))
        else:
            steps.append(("computed", name, w, ()))
    return steps, weight_sum


def _merged(skills, norm, best) -> dict[str, int]:
    """Skill name -> level (0: unknown); a skill named twice keeps ``best`` of the levels."""
    out: dict[str, int] = {}
    for skill in skills:
        name, level = norm(skill.name), skill.level or 0
        out[name] = best(out[name], level) if name in out else level
    return out


def _mentor_best(a: int, b: int) -> int:  # unknown or higher level earns more credit
    return 0 if 0 in (a, b) else max(a, b)


def _mentee_best(a: int, b: int) -> int:  # unknown or lower wanted level earns more credit
    return 0 if 0 in (a, b) else min(a, b)


def _skill_encoding(cohort: Cohort, policy: Policy, norm):
    """Skill vocabulary, credit table (one row per wanted (level, skill)), mentee rows."""
    wants = [_merged(e.skills, norm, _mentee_best) for e in cohort.mentees]
    has = [_merged(m.skills, norm, _mentor_best) for m in cohort.mentors]
    vocab: dict[str, int] = {}
    for d in wants + has:
        for name in d:
            vocab.setdefault(name, len(vocab))
    n_m = len(has)
    held = np.zeros((len(vocab), n_m), dtype=bool)
    level = np.zeros((len(vocab), n_m), dtype=np.int64)
    for j, d in enumerate(has):
        idx = [vocab[name] for name in d]
        held[idx, j] = True
        level[idx, j] = list(d.values())
    related: dict[int, dict[int, float]] = {}
    for a, b, credit in policy.related_skills:
        a, b = norm(a), norm(b)
        if a != b and a in vocab and b in vocab:
            for s, t in ((vocab[a], vocab[b]), (vocab[b], vocab[a])):
                related.setdefault(s, {})[t] = max(credit, related.get(s, {}).get(t, 0.0))
    row_of: dict[tuple[int, int], int] = {}
    lists = []
    for d in wants:
        lists.append(sorted(row_of.setdefault((k, vocab[n]), len(row_of)) for n, k in d.items()))
    table = np.zeros((len(row_of) + 1, n_m))
    for (k, s), r in row_of.items():
        rel = np.zeros(n_m)
        for t, credit in related.get(s, {}).items():
            rel = np.maximum(rel, np.where(held[t], credit, 0.0))
        lv = level[s]
        above = (k == 0) | (lv == 0) | (lv > k)
        table[r] = np.where(held[s], np.where(above, 1.0, 0.5), rel)
    rows, count = padded(lists, len(row_of))
    return tuple(vocab), table, rows, count


def _value_codes(values: np.ndarray, known: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct known values and each person's code (unknown: ``len(distinct)``)."""
    distinct = np.unique(values[known])
    return distinct, np.where(known, np.searchsorted(distinct, values), distinct.size)


def _code_table(people: PersonArrays, which: str, score) -> tuple[np.ndarray, ...]:
    """A (mentee code, mentor code) table of ``score(e_values, m_values)``; unknown: 0.5."""
    e_vals, e_code = _value_codes(
        getattr(people, f"e_{which}"), getattr(people, f"e_{which}_known")
    )
    m_vals, m_code = _value_codes(
        getattr(people, f"m_{which}"), getattr(people, f"m_{which}_known")
    )
    table = np.full((e_vals.size + 1, m_vals.size + 1), 0.5)
    table[:-1, :-1] = score(e_vals[:, None], m_vals[None, :])
    return table, e_code, m_code


def same_code_table(n_codes: int, equal: bool) -> np.ndarray:
    """The (n+1, n+1) table of "both codes known and (un)equal as asked".

    Parameters
    ----------
    n_codes : the number of known codes; code -1 (unknown) reads row / column ``n_codes``.
    equal : True to score equal codes 1.0, False to score different codes 1.0.

    Returns
    -------
    np.ndarray
        float64: 1.0 or 0.0 between known codes, 0.5 where either is unknown.
    """
    same = np.eye(n_codes, dtype=bool)
    table = np.full((n_codes + 1, n_codes + 1), 0.5)
    table[:-1, :-1] = np.where(same if equal else ~same, 1.0, 0.0)
    return table


def score_tables(
    cohort: Cohort,
    policy: Policy,
    people: PersonArrays,
    norm: Callable[[str], str],
    attributes: AttributeTables,
) -> ScoreTables:
    """Encode ``cohort`` for scoring under ``policy``.

    Parameters
    ----------
    cohort : the validated cohort.
    policy : weights, seniority ideal and tolerance, aliases, related skills, department
        preference, ``scores_only``.
    people : the cohort's :func:`~matcher.encode.person_arrays.person_arrays`.
    norm : the tag normaliser the arrays were built with.
    attributes : the policy's question rules, encoded.

    Returns
    -------
    ScoreTables
    """
    skills, skill_table, skill_rows, skill_count = _skill_encoding(cohort, policy, norm)
    goals, goal_table, goal_rows, goal_count = tag_table(
        [[norm(g) for g in p.goals] for p in cohort.mentees],
        [[norm(g) for g in p.goals] for p in cohort.mentors],
    )
    ideal, tolerance = policy.seniority.ideal_gap, policy.seniority.tolerance

    def seniority(e, m):
        off = np.abs(m - e - ideal)
        if tolerance <= 0:
            return (off == 0).astype(np.float64)
        return np.maximum(0.0, 1.0 - off / tolerance)

    sen_table, e_sen_code, m_sen_code = _code_table(people, "sen", seniority)
    tz_table, e_tz_code, m_tz_code = _code_table(
        people, "tz", lambda e, m: np.clip(1.0 - circular_minutes(e, m) / 720.0, 0.0, 1.0)
    )
    side: dict[tuple[int, int], float] = {}
    mentee_prefs, mentor_prefs = preference_lists(cohort)
    for i, prefs in enumerate(mentee_prefs):
        for rank, j in enumerate(prefs):
            side[i, j] = (len(prefs) - rank) / len(prefs)
    for j, prefs in enumerate(mentor_prefs):
        for rank, i in enumerate(prefs):
            side[i, j] = max(side.get((i, j), 0.0), (len(prefs) - rank) / len(prefs))
    pairs = sorted(side)
    pref_keys, pref_values = sorted_lookup(
        [i for i, _ in pairs], [j for _, j in pairs], [side[p] for p in pairs], len(cohort.mentors)
    )
    return ScoreTables(
        persons=people,
        weights=policy.weights,
        scores_only=policy.scores_only,
        active=active_components(policy.weights, policy.scores_only),
        skills=skills,
        skill_table=skill_table,
        skill_rows=skill_rows,
        skill_count=skill_count,
        goals=tuple(goals),
        goal_table=goal_table,
        goal_rows=goal_rows,
        goal_count=goal_count,
        sen_table=sen_table,
        e_sen_code=e_sen_code,
        m_sen_code=m_sen_code,
        tz_table=tz_table,
        e_tz_code=e_tz_code,
        m_tz_code=m_tz_code,
        department_preference=policy.department_preference,
        pref_keys=pref_keys,
        pref_values=np.asarray(pref_values, dtype=np.float64),
        dept_table=same_code_table(
            len(people.departments), policy.department_preference is DepartmentRule.SAME
        ),
        loc_table=same_code_table(len(people.locations), True),
        attributes=attributes,
    )
