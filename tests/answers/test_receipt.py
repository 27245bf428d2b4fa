"""Receipts: a result verifies against its sheet, policy and pairs; a tampered file does not."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pytest
from answers_helpers import cases
from click.testing import CliRunner

import matcher.encode.prepare as prepare_module
from matcher.answers.receipt import (
    make_receipt,
    read_receipt,
    receipt_from_dict,
    receipt_to_dict,
)
from matcher.answers.verify import pair_findings, prepared_for, verify
from matcher.checker import check
from matcher.checker.places import capacities, department_caps, minimum_loads
from matcher.checker.rules import hard_rule_violations
from matcher.cli import main
from matcher.encode.lazy_scores import LazyScores
from matcher.encode.prepare import prepare
from matcher.encode.rules import RULE_WORDS, forbidding_rules
from matcher.io.cohort_csv import read_assignments, write_pairs
from matcher.io.generate import generate_cohort
from matcher.io.policy import preset
from matcher.model import InfeasibleError, InputError
from matcher.results import Pair
from matcher.solve import solve, solve_in_full

CASES = cases()
DATA = Path(__file__).resolve().parents[2] / "data"
SHEET = [DATA / "coaching-sample.csv", "--policy", DATA / "coaching.toml"]


def _file_pairs(result, tmp_path):
    """The pairs and scores as the pairs file gives them back."""
    path = tmp_path / "pairs.csv"
    write_pairs(result, path)
    rows = [r for r in read_assignments(path) if r["mentor_id"]]
    return [(r["mentee_id"], r["mentor_id"]) for r in rows], [r["score"] for r in rows]


@pytest.mark.parametrize(("label", "cohort", "policy"), CASES, ids=[c[0] for c in CASES])
def test_a_result_verifies_against_its_own_receipt(label, cohort, policy, tmp_path):
    result = solve(cohort, policy)
    assert check(cohort, policy, result) == []
    receipt = make_receipt(cohort, policy, result)
    assert receipt_from_dict(json.loads(json.dumps(receipt_to_dict(receipt)))) == receipt
    pairs, scores = _file_pairs(result, tmp_path)
    assert verify(receipt, cohort, policy, pairs, scores) == []
    other = replace(policy, seed=policy.seed + 1)
    assert verify(receipt, cohort, other, pairs, scores) == [
        "the policy is not the one the receipt was made with (policy digest differs)"
    ]


@pytest.mark.parametrize(("label", "cohort", "policy"), CASES, ids=[c[0] for c in CASES])
def test_what_a_tampered_file_breaks_is_what_the_checker_finds(label, cohort, policy):
    result = solve(cohort, policy)
    rng = random.Random(0)
    pairs = [(p.mentee_id, p.mentor_id) for p in result.pairs]
    oracle = (hard_rule_violations, capacities, minimum_loads, department_caps)
    for _ in range(20):
        changed = list(pairs)
        k = rng.randrange(len(changed))
        changed[k] = (changed[k][0], rng.choice(cohort.mentor_ids))
        fake = replace(result, pairs=tuple(Pair(e, m, 0.0) for e, m in changed))
        broken = [v for concern in oracle for v in concern(cohort, policy, fake)]
        mine = pair_findings(cohort, policy, changed, [0.0] * len(changed))
        rule_or_load = [f for f in mine if "score" not in f and "pinned" not in f]
        assert bool(rule_or_load) == bool(broken), (label, changed[k], mine, broken)


@pytest.mark.parametrize(("label", "cohort", "policy"), CASES, ids=[c[0] for c in CASES])
def test_a_receipt_from_the_solve_itself_is_the_same_receipt(label, cohort, policy):
    # Small pools: every open pair is an arc, so the certificate cannot depend on the graph.
    solved = solve_in_full(cohort, policy)
    assert replace(solved.result, timings=()) == replace(solve(cohort, policy), timings=())
    assert make_receipt(cohort, policy, solved.result, solved=solved) == make_receipt(
        cohort, policy, solved.result
    )


def test_a_large_receipt_from_the_solve_itself_verifies(monkeypatch, tmp_path):
    # Scores on demand and a candidate graph: the certificate starts from the solver's
    # last graph and reads its prepared cohort; it may hold other potentials, as valid.
    monkeypatch.setattr(prepare_module, "DENSE_CELLS", 0)
    cohort, policy = generate_cohort(1200, 300, seed=3), preset("coaching")
    solved = solve_in_full(cohort, policy)
    assert isinstance(solved.prepared.instance.scores, LazyScores)
    assert solved.solution.graph is not None and solved.result.certified
    receipt = make_receipt(cohort, policy, solved.result, solved=solved)
    assert receipt.certificate is not None
    fresh = make_receipt(cohort, policy, solved.result)
    assert replace(receipt, certificate=None) == replace(fresh, certificate=None)
    pairs, scores = _file_pairs(solved.result, tmp_path)
    assert verify(receipt, cohort, policy, pairs, scores) == []


def test_receipts_are_read_with_every_problem_at_once(tmp_path):
    with pytest.raises(InputError) as info:
        receipt_from_dict({"format": 1, "places": "many", "extra": 1})
    columns = [p.column for p in info.value.problems]
    assert "extra" in columns and "places" in columns and "cohort_sha256" in columns
    bad = tmp_path / "r.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError):
        read_receipt(bad)


def test_verify_on_the_command_line(tmp_path):
    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    pairs, receipt = tmp_path / "pairs.csv", tmp_path / "receipt.json"
    assert run("match", *SHEET, "-o", pairs, "--receipt", receipt).exit_code == 0
    data = json.loads(receipt.read_text(encoding="utf-8"))
    assert data["places"] == 27 and data["certified"] is True
    assert "@" not in receipt.read_text(encoding="utf-8")  # digests, never emails
    ok = run("verify", receipt, *SHEET[:1], pairs, *SHEET[1:])
    assert ok.exit_code == 0 and ok.stderr.startswith("verified: 27 pairs")
    text = pairs.read_text(encoding="utf-8-sig")
    tampered = tmp_path / "tampered.csv"
    tampered.write_text(text.replace("\nE02,M06,", "\nE02,M03,"), encoding="utf-8")
    bad = run("verify", receipt, *SHEET[:1], tampered, *SHEET[1:])
    assert bad.exit_code == 4
    assert "the pairs differ from the receipt's pairs" in bad.stderr
    assert "mentor M03 has 3 mentees, capacity 2" in bad.stderr
    garbage = tmp_path / "garbage.json"
    garbage.write_text("[]", encoding="utf-8")
    assert run("verify", garbage, *SHEET[:1], pairs, *SHEET[1:]).exit_code == 2


@pytest.mark.parametrize(("label", "cohort", "policy"), CASES, ids=[c[0] for c in CASES])
def test_pair_findings_name_each_pair_as_one_pair_at_a_time_would(label, cohort, policy):
    """All pairs' rules and scores are derived at once; the findings are those of the
    pair-by-pair reading, in the same order: unknown ids, repeats, rules, scores."""
    result = solve(cohort, policy)
    prepared = prepare(cohort, policy)
    rng = random.Random(1)
    pairs = [(p.mentee_id, p.mentor_id) for p in result.pairs]
    scores = [p.score for p in result.pairs]
    for _ in range(6):  # pairs moved to any mentor: some break rules
        k = rng.randrange(len(pairs))
        pairs[k], scores[k] = (pairs[k][0], rng.choice(cohort.mentor_ids)), scores[k]
    pairs += [("nobody", cohort.mentor_ids[0]), pairs[0], pairs[1]]
    scores += [0.5, scores[0], scores[1] + 0.25]
    e_at = {x: i for i, x in enumerate(cohort.mentee_ids)}
    m_at = {x: j for j, x in enumerate(cohort.mentor_ids)}
    expected, seen = [], set()
    for (e, m), score in zip(pairs, scores, strict=True):
        if e not in e_at or m not in m_at:
            expected.append(
                f"pair ({e}, {m}) names someone who is not a mentee / mentor of the sheet"
            )
            continue
        if (e, m) in seen:
            expected.append(f"pair ({e}, {m}) is listed twice")
        seen.add((e, m))
        i, j = e_at[e], m_at[m]
        rules = forbidding_rules(prepared.rules, i, j)
        expected += [f"pair ({e}, {m}) breaks {RULE_WORDS[r]}" for r in rules]
        value = float(prepared.instance.scores[i, j])
        if not abs(score - value) <= 1e-6 + 1e-12 * abs(value):
            expected.append(f"pair ({e}, {m}) has score {score!r}, recomputed {round(value, 6)!r}")
    found = pair_findings(cohort, policy, pairs, scores)
    assert found[: len(expected)] == expected
    assert any("listed twice" in f for f in found) and any("recomputed" in f for f in found)


def test_pinned_pairs_that_cannot_hold_are_findings_not_errors():
    _, cohort, policy = CASES[0]
    result = solve(cohort, policy)
    receipt = make_receipt(cohort, policy, result)
    mentor = next(m for m in cohort.mentors if m.capacity >= 1)
    over = [(e.id, mentor.id) for e in cohort.mentees[: mentor.capacity + 1]]
    pinned = replace(policy, pinned_pairs=tuple(over))
    pairs = [(p.mentee_id, p.mentor_id) for p in result.pairs]
    prepared = prepared_for(cohort, pinned)
    assert isinstance(prepared, InfeasibleError)
    for given in (None, prepared):
        found = pair_findings(cohort, pinned, pairs, [p.score for p in result.pairs], given)
        assert found and all(f.startswith("the policy's pinned pairs cannot hold") for f in found)
    assert any(
        "pinned pairs cannot hold" in f
        for f in verify(receipt, cohort, pinned, pairs, [p.score for p in result.pairs])
    )
