"""The fast paths of the core against plain references: bit sets, code tables, threads.

Scores and masks computed in L2-sized row blocks, with weights folded into code tables
and shared out among threads, must equal the per-pair path and the plain-Python checker
exactly; the thread helper must cover every row once and report failures.
"""

from __future__ import annotations

import importlib
from dataclasses import replace

import numpy as np
import pytest

from matcher import parallel
from matcher.checker import chain_parents, rule_violations
from matcher.encode.cells import Cells
from matcher.encode.person_arrays import bitsets, shared_any
from matcher.encode.prepare import prepare
from matcher.encode.rules import RULES, eligible_matrix, rule_masks
from matcher.encode.score_tables import same_code_table
from matcher.encode.scoring import block_components, combine, pair_scores, score_matrix
from matcher.io.generate import generate_cohort
from matcher.model import WEIGHT_KEYS, DepartmentRule, Policy, SeniorityRule, Weights

ALL = Weights(**dict.fromkeys(WEIGHT_KEYS, 1.0))


@pytest.fixture(scope="module")
def cohort():
    return generate_cohort(90, 25, seed=3)


def test_bitsets_set_one_bit_per_tag_across_words():
    bits = bitsets([[0, 1], [], [63, 64, 130]], 131)
    assert bits.shape == (3, 3) and bits.dtype == np.uint64
    assert bits[0].tolist() == [3, 0, 0]
    assert bits[1].tolist() == [0, 0, 0]
    assert bits[2].tolist() == [2**63, 1, 4]
    assert bitsets([], 0).shape == (0, 1)


def test_bitsets_reject_a_tag_outside_the_vocabulary():
    with pytest.raises(ValueError, match=r"tag numbers must be in \[0, 3\); got 5\.\.5"):
        bitsets([[5]], 3)
    with pytest.raises(ValueError, match="got -1"):
        bitsets([[-1, 2]], 3)


def test_shared_any_equals_set_intersection_on_both_paths():
    rng = np.random.default_rng(0)
    n_tags = 70  # two words
    e_sets = [set(rng.choice(n_tags, rng.integers(0, 3), replace=False).tolist()) for _ in range(9)]
    m_sets = [set(rng.choice(n_tags, rng.integers(0, 4), replace=False).tolist()) for _ in range(7)]
    e_sets[0], m_sets[0] = {69}, {69, 1}  # a hit in the second word only
    expected = np.array([[bool(e & m) for m in m_sets] for e in e_sets])
    e_bits, m_bits = bitsets(e_sets, n_tags), bitsets(m_sets, n_tags)
    assert np.array_equal(shared_any(e_bits, m_bits, Cells.block(0, 9, 7)), expected)
    rows, cols = np.nonzero(np.ones((9, 7), bool))
    pairs = shared_any(e_bits, m_bits, Cells.pairs(rows, cols, 7))
    assert np.array_equal(pairs, expected.ravel())


def test_people_language_bits_match_the_language_table(cohort):
    p = prepare(cohort, Policy()).persons
    table = p.lang_table[:-1]  # (languages, mentors)
    for j in range(len(cohort.mentors)):
        assert {t for t in range(table.shape[0]) if table[t, j]} == {
            t for t in range(table.shape[0]) if int(p.m_lang_bits[j, t // 64]) >> (t % 64) & 1
        }
    for i in range(len(cohort.mentees)):
        wanted = set(p.lang_rows[i, : p.lang_count[i]].tolist())
        have = {t for t in range(table.shape[0]) if int(p.e_lang_bits[i, t // 64]) >> (t % 64) & 1}
        assert have == wanted


def test_same_code_table_scores_known_codes_and_halves_unknown():
    same = same_code_table(2, True)
    assert same.tolist() == [[1.0, 0.0, 0.5], [0.0, 1.0, 0.5], [0.5, 0.5, 0.5]]
    different = same_code_table(2, False)
    assert different.tolist() == [[0.0, 1.0, 0.5], [1.0, 0.0, 0.5], [0.5, 0.5, 0.5]]
    assert same_code_table(0, True).tolist() == [[0.5]]


@pytest.mark.parametrize("preference", list(DepartmentRule))
def test_fast_score_matrix_is_bit_identical_to_components_and_pairs(cohort, preference):
    policy = Policy(
        weights=replace(ALL, external=0.0, location=0.7, department=0.3),
        department_preference=preference,
    )
    f = prepare(cohort, policy).tables
    n_e, n_m = f.shape
    reference = combine(block_components(f, 0, n_e), f.weights)
    for block_rows, threads in ((1, 1), (7, 1), (7, 3), (None, None)):
        assert np.array_equal(score_matrix(f, block_rows, threads=threads), reference)
    rows, cols = np.nonzero(np.ones((n_e, n_m), bool))
    assert np.array_equal(pair_scores(f, rows, cols), reference.ravel())


def test_fast_score_matrix_with_preference_first_and_scores_only(cohort):
    only_pref = Policy(weights=Weights(**{**dict.fromkeys(WEIGHT_KEYS, 0.0), "preference": 2.0}))
    f = prepare(cohort, only_pref).tables
    expected = combine(block_components(f, 0, f.shape[0]), f.weights)
    assert np.array_equal(score_matrix(f, 4, threads=2), expected)
    nothing = prepare(cohort, Policy(weights=Weights(**dict.fromkeys(WEIGHT_KEYS, 0.0)))).tables
    assert not score_matrix(nothing, 4).any()


def test_rule_masks_with_code_tables_match_the_plain_checker(cohort):
    policy = Policy(
        seniority=SeniorityRule(min_gap=0, max_gap=3),
        max_timezone_diff_hours=4,
        require_shared_language=True,
        department_rule=DepartmentRule.DIFFERENT,
    )
    masks = rule_masks(prepare(cohort, policy).rules)
    parents = chain_parents(cohort)
    for i, mentee in enumerate(cohort.mentees):
        for j, mentor in enumerate(cohort.mentors):
            broken = set(rule_violations(mentee, mentor, policy, parents))
            assert {rule for rule in RULES if masks[rule][i, j]} == broken, (i, j)
    eligible = eligible_matrix(prepare(cohort, policy).rules)
    forbidden = np.zeros_like(eligible)
    for mask in masks.values():
        forbidden |= mask
    assert np.array_equal(eligible, ~forbidden)
    same = replace(policy, department_rule=DepartmentRule.SAME)
    same_masks = rule_masks(prepare(cohort, same).rules)["department"]
    for i, mentee in enumerate(cohort.mentees):
        for j, mentor in enumerate(cohort.mentors):
            assert same_masks[i, j] == ("department" in rule_violations(mentee, mentor, same, {}))


def test_for_row_ranges_covers_every_row_once(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_ROWS_PER_THREAD", 1)
    for n_rows, block, threads in ((0, 4, 2), (1, 4, 3), (10, 3, 2), (101, 7, 4), (9, 1, 9)):
        seen = np.zeros(n_rows, np.int64)
        starts = []

        def work(start, stop, seen=seen, starts=starts, block=block):
            starts.append(start)
            seen[start:stop] += 1

        parallel.for_row_ranges(work, n_rows, block, threads)
        assert (seen == 1).all()
        assert all(s % block == 0 for s in starts)


def test_for_row_ranges_reports_a_failure(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_ROWS_PER_THREAD", 1)

    def work(start, stop):
        if start > 0:
            raise RuntimeError(f"rows {start}..{stop} failed")

    with pytest.raises(RuntimeError, match="failed"):
        parallel.for_row_ranges(work, 20, 5, 2)


def test_default_threads_reads_the_environment(monkeypatch):
    monkeypatch.setenv("MENTORMATCH_THREADS", "3")
    assert parallel.default_threads() == 3
    monkeypatch.delenv("MENTORMATCH_THREADS")
    assert 1 <= parallel.default_threads() <= 4
    for bad in ("0", "two", "-1", ""):
        monkeypatch.setenv("MENTORMATCH_THREADS", bad)
        with pytest.raises(ValueError, match="MENTORMATCH_THREADS is .*expected a whole number"):
            parallel.default_threads()


@pytest.mark.parametrize("seed", range(6))
def test_chain_pairs_equal_a_plain_walk_up_the_chart(seed):
    from matcher.checker import _managers_above
    from matcher.encode.orgchart import chain_pairs
    from matcher.model import Cohort, Mentee, Mentor

    rng = np.random.default_rng(seed)
    ids = [f"P{k}" for k in range(30)] + [f"X{k}" for k in range(6)]  # X: outside the cohort

    def manager(k):
        return str(rng.choice(ids[k + 1 :])) if k + 1 < len(ids) and rng.random() < 0.8 else None

    mentees = tuple(Mentee(f"P{k}", manager_id=manager(k)) for k in range(0, 30, 2))
    mentors = tuple(Mentor(f"P{k}", manager_id=manager(k)) for k in range(1, 30, 2))
    extra = tuple((str(rng.choice(ids)), str(rng.choice(ids))) for _ in range(seed * 2))
    cohort = Cohort(mentors=mentors, mentees=mentees, org_chart=extra)  # seed > 0: cycles likely
    parents = chain_parents(cohort)
    expected = sorted(
        (i, j)
        for i, e in enumerate(mentees)
        for j, m in enumerate(mentors)
        if m.id in _managers_above(e.id, parents) or e.id in _managers_above(m.id, parents)
    )
    rows, cols = chain_pairs(cohort)
    assert list(zip(rows.tolist(), cols.tolist(), strict=True)) == expected


def test_a_cycle_of_single_managers_puts_everyone_in_it_in_one_chain():
    from matcher.encode.orgchart import chain_pairs
    from matcher.model import Cohort, Mentee, Mentor

    mentees = (Mentee("A", manager_id="B"), Mentee("D", manager_id="X"))
    mentors = (Mentor("B", manager_id="C"), Mentor("C", manager_id="A"), Mentor("E"))
    rows, cols = chain_pairs(Cohort(mentors=mentors, mentees=mentees))
    assert list(zip(rows.tolist(), cols.tolist(), strict=True)) == [(0, 0), (0, 1)]


def test_eligibility_and_alternates_do_not_depend_on_threads(monkeypatch, cohort):
    solve_module = importlib.import_module("matcher.solve")  # not matcher.solve, the function
    from matcher.encode import rules as eligibility
    from matcher.result import alternates

    monkeypatch.setattr(parallel, "MIN_ROWS_PER_THREAD", 1)
    monkeypatch.setattr(eligibility, "_BLOCK_CELLS", 50)  # 2 mentees per block
    monkeypatch.setattr(alternates, "_BLOCK_CELLS", 75)
    policy = Policy(require_shared_language=True, seniority=SeniorityRule(min_gap=0))
    results = {}
    for threads in ("1", "3"):
        monkeypatch.setenv("MENTORMATCH_THREADS", threads)
        results[threads] = (
            eligible_matrix(prepare(cohort, policy).rules),
            solve_module.solve(cohort, policy).alternates,
        )
    assert np.array_equal(results["1"][0], results["3"][0])
    assert results["1"][1] == results["3"][1] and len(results["1"][1]) > 0


def test_empty_matrix_maps_large_arrays_and_scores_match(monkeypatch, cohort):
    small = parallel.empty_matrix((3, 4), bool)
    assert small.shape == (3, 4) and small.dtype == bool
    monkeypatch.setattr(parallel, "MAP_BYTES", 64)
    mapped = parallel.empty_matrix((20, 10))
    assert mapped.shape == (20, 10) and mapped.flags.writeable and mapped.flags.c_contiguous
    assert not mapped.any()  # anonymous maps start zeroed
    mapped[4, 5] = 1.5
    assert mapped.sum() == 1.5
    assert parallel.empty_matrix((0, 7)).shape == (0, 7)
    f = prepare(cohort, Policy(weights=ALL)).tables
    monkeypatch.setattr(parallel, "MAP_BYTES", 1 << 62)
    plain, plain_ok = score_matrix(f), eligible_matrix(prepare(cohort, Policy()).rules)
    monkeypatch.setattr(parallel, "MAP_BYTES", 64)
    assert np.array_equal(score_matrix(f), plain)
    assert np.array_equal(eligible_matrix(prepare(cohort, Policy()).rules), plain_ok)
