"""Receipts: a result verifies against its sheet, policy and pairs; a tampered file does not."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pytest
from answers_helpers import cases
from click.testing import CliRunner

from matcher.answers.receipt import (
    make_receipt,
    read_receipt,
    receipt_from_dict,
    receipt_to_dict,
)
from matcher.answers.verify import pair_findings, verify
from matcher.checker import check
from matcher.checker.places import capacities, department_caps, minimum_loads
from matcher.checker.rules import hard_rule_violations
from matcher.cli import main
from matcher.io.cohort_csv import read_assignments, write_pairs
from matcher.model import InputError
from matcher.results import Pair
from matcher.solve import solve

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
