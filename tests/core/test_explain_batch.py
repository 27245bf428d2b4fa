"""The explain stage's batch paths against one-at-a-time references.

Unmatched reasons are tallied per block of rows and read each mentee's best full mentor
from the alternates' ranking; pair texts are ranked as arrays. Each must say exactly what
a plain per-mentee / per-pair computation says, on cohorts where every rule, the
department cap, closed mentors and mentees wanting two mentors all occur.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from matcher.encode.prepare import prepare
from matcher.encode.rules import RULES, forbidding_rules
from matcher.io.generate import generate_cohort
from matcher.io.pair_files import _numbers
from matcher.io.policy import preset
from matcher.model import DepartmentRule
from matcher.result import explain
from matcher.result.alternates import alternates, best_outside, ranked_outside
from matcher.result.pair_text import explain_pair, explain_pairs
from matcher.solve import solve_prepared


def _cohort(seed: int, places: int | None = None):
    cohort = generate_cohort(60, 14, seed)
    mentors = [
        m if places is None else dataclasses.replace(m, capacity=places) for m in cohort.mentors
    ]
    mentors[3] = dataclasses.replace(mentors[3], capacity=0)  # one mentor sits out
    mentees = list(cohort.mentees)
    mentees[5] = dataclasses.replace(mentees[5], capacity=2)
    mentees[6] = dataclasses.replace(mentees[6], capacity=0)
    free = [dataclasses.replace(m, min_capacity=0) for m in mentors]
    return dataclasses.replace(cohort, mentors=tuple(free), mentees=tuple(mentees))


def _policies():
    plain = preset("mentoring")
    strict = dataclasses.replace(
        plain,
        require_shared_language=True,
        max_timezone_diff_hours=5,
        department_rule=DepartmentRule.DIFFERENT,
        max_per_department=1,
    )
    capped = dataclasses.replace(plain, max_per_department=1)
    return {"plain": plain, "strict": strict, "capped": capped}


@pytest.fixture(params=[(s, name) for s in (1, 2) for name in ("plain", "strict", "capped")])
def solved(request):
    seed, name = request.param
    places = 8 if name == "capped" else None  # free places the department cap keeps empty
    prepared = prepare(_cohort(seed, places), _policies()[name])
    result = solve_prepared(prepared, "flow")
    index_e = {x: i for i, x in enumerate(prepared.instance.mentee_ids)}
    index_m = {x: j for j, x in enumerate(prepared.instance.mentor_ids)}
    pairs = sorted((index_e[p.mentee_id], index_m[p.mentor_id]) for p in result.pairs)
    return prepared, pairs


def _reference_reasons(prepared, pairs, i):
    """One mentee's reasons, counted pair by pair with forbidding_rules."""
    instance = prepared.instance
    n_m = instance.shape[1]
    got, load = explain.loads(instance, pairs)
    capacity = np.asarray(instance.capacity)
    mine = {j for e, j in pairs if e == i}
    counts = [0] * len(RULES)
    for j in range(n_m):
        rules = forbidding_rules(prepared.rules, i, j)
        if capacity[j] > 0 and rules:
            counts[RULES.index(rules[0])] += 1
    elig = [j for j in range(n_m) if instance.eligible[i, j] and capacity[j] > 0 and j not in mine]
    full = [j for j in elig if load[j] >= capacity[j]]
    capped = 0
    if instance.max_per_group is not None and instance.mentee_group[i] >= 0:
        group = instance.mentee_group[i]
        for j in elig:
            same = sum(1 for e, m in pairs if m == j and instance.mentee_group[e] == group)
            capped += load[j] < capacity[j] and same >= instance.max_per_group
    top = None
    if elig and len(full) == len(elig):
        best = max(full, key=lambda j: (instance.scores[i, j], -j))
        top = (best, float(instance.scores[i, best]))
    sitting = int(np.count_nonzero(capacity <= 0))
    tally = (len(elig), len(full), capped)
    return explain._reasons(instance, counts, tally, top, sitting, bool(got[i]))


def test_unmatched_reasons_match_a_pair_by_pair_count(solved):
    prepared, pairs = solved
    instance = prepared.instance
    got, _ = explain.loads(instance, pairs)
    short = np.flatnonzero(got < instance.wanted).tolist()
    assert short, "the cohort should leave someone unmatched"
    best = best_outside(ranked_outside(instance, pairs))
    fast = explain.unmatched_reasons_many(prepared, pairs, short, best=best)
    searched = explain.unmatched_reasons_many(prepared, pairs, short)
    assert fast == searched
    for i in short:
        assert fast[i] == _reference_reasons(prepared, pairs, i)


def test_unmatched_reasons_take_rows_in_any_order_with_repeats(solved, monkeypatch):
    prepared, pairs = solved
    everyone = list(range(prepared.instance.shape[0]))
    expected = explain.unmatched_reasons_many(prepared, pairs, everyone)
    monkeypatch.setattr(explain, "_BLOCK_CELLS", 3 * prepared.instance.shape[1])  # 3 rows
    shuffled = everyone[::-1] + everyone[:5]
    assert explain.unmatched_reasons_many(prepared, pairs, shuffled) == expected
    assert explain.unmatched_reasons_many(prepared, pairs, []) == {}
    assert explain.unmatched_reasons_many(prepared, [], [6]) == {6: ()}  # sits out


def test_alternates_from_a_given_ranking_are_the_same(solved):
    prepared, pairs = solved
    instance = prepared.instance
    ranked = ranked_outside(instance, pairs)
    assert alternates(instance, pairs, "total", ranked=ranked) == alternates(instance, pairs)
    firsts = best_outside(ranked)
    assert set(firsts) == set(ranked.rows.tolist())
    for i, (j, score) in firsts.items():
        k = int(np.flatnonzero(ranked.rows == i)[0])
        assert (j, score) == (ranked.cols[k], ranked.scores[k])


def test_pair_texts_in_a_batch_equal_one_at_a_time(solved):
    prepared, pairs = solved
    rows = np.array([i for i, _ in pairs])
    cols = np.array([j for _, j in pairs])
    rng = np.random.default_rng(0)
    names = ("skills", "goals", "seniority", "timezone", "language", "preference")
    parts = {c: np.round(rng.choice([0.0, 0.25, 0.5, 0.75, 1.0], rows.size), 6) for c in names}
    pinned = [k % 5 == 0 for k in range(rows.size)]
    batch = explain_pairs(prepared, rows, cols, parts, pinned)
    for k, (i, j) in enumerate(pairs):
        one = {c: float(v[k]) for c, v in parts.items()}
        assert batch[k] == explain_pair(prepared, i, j, one, pinned[k])
    assert explain_pairs(prepared, [], [], {c: [] for c in names}, []) == []


def test_numbers_keep_the_single_value_format():
    values = [0.0, -0.0, -0.00004, 1.23456789, -3.5, float("inf"), float("-inf"), float("nan")]
    assert _numbers(values, 4) == [
        "0.0000",
        "0.0000",
        "0.0000",
        "1.2346",
        "-3.5000",
        "inf",
        "'-inf",
        "nan",
    ]


def test_row_counts_of_wide_rows():
    wide = np.zeros((2, 70_000), dtype=bool)
    wide[0] = True
    wide[1, ::7] = True
    assert explain._row_counts(wide).tolist() == [70_000, 10_000]
    assert explain._row_counts(wide[:, :10]).tolist() == [10, 2]
