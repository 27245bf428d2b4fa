"""The command line as a coordinator uses it: reports on stderr, data on stdout or files."""

import json
from pathlib import Path

import pytest

from matcher.checker import check
from matcher.io.cohort_csv import read_assignments, read_cohort
from matcher.io.policy import load_policy

DATA = Path(__file__).resolve().parents[2] / "data"


def test_validate_accepts_the_sample(run):
    result = run("validate", DATA / "coaching-sample.csv")
    assert result.exit_code == 0
    assert "OK: 28 mentees, 12 mentors" in result.stderr


def test_validate_lists_every_problem_with_the_file_name(run, tmp_path):
    bad = tmp_path / "sheet.csv"
    bad.write_text("id,role,capacity\nA,mentor,x\nA,mentee,1\nB,boss,2\n", encoding="utf-8")
    result = run("validate", bad)
    assert result.exit_code == 2
    assert "3 problem(s)" in result.stderr
    assert "sheet.csv, line 2, column 'capacity': expected a whole number >= 0 (got 'x')" in (
        result.stderr
    )
    assert "line 3, column 'id'" in result.stderr
    assert "line 4, column 'role'" in result.stderr
    assert "Traceback" not in result.output


def test_validate_reports_policy_and_cohort_problems_together(run, tmp_path):
    policy = tmp_path / "p.toml"
    policy.write_text("[weights]\nskils = 1\n", encoding="utf-8")
    bad = tmp_path / "sheet.csv"
    bad.write_text("id,role\nA,mentor\n", encoding="utf-8")
    result = run("validate", bad, "--policy", policy)
    assert result.exit_code == 2
    assert "weights.skils" in result.stderr
    assert "mentee" in result.stderr  # no mentees in the sheet


def test_missing_file_is_a_one_line_error(run, tmp_path):
    result = run("validate", tmp_path / "nope.csv")
    assert result.exit_code != 0
    assert "Traceback" not in result.output


def test_a_very_bad_file_lists_the_first_problems_and_counts_the_rest(run, tmp_path):
    bad = tmp_path / "sheet.csv"
    bad.write_text("id,role,capacity\n" + "".join(f"P{k},mentor,x\n" for k in range(250)))
    result = run("validate", bad)
    assert result.exit_code == 2
    assert "251 problem(s)" in result.stderr  # 250 bad capacities, no mentees
    assert "line 201, column 'capacity'" in result.stderr
    assert "line 202," not in result.stderr
    assert "... and 51 more problem(s)" in result.stderr


def test_usage_errors(run):
    assert run("validate").exit_code == 2
    assert run("match", DATA / "coaching-sample.csv", "--scores-only").exit_code == 2
    no_file = run("match", DATA / "coaching-sample.csv", "--json")
    assert no_file.exit_code == 2 and "give -o FILE" in no_file.stderr


def test_generate_is_deterministic(run, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert run("generate", "--mentees", 30, "--mentors", 8, "--seed", 3, "-o", a).exit_code == 0
    assert run("generate", "--mentees", 30, "--mentors", 8, "--seed", 3, "-o", b).exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    cohort = read_cohort(a)
    assert (len(cohort.mentees), len(cohort.mentors)) == (30, 8)


def test_match_writes_checked_assignments_and_json_summary(run, tmp_path):
    out = tmp_path / "pairs.csv"
    sample, policy_file = DATA / "coaching-sample.csv", DATA / "coaching.toml"
    result = run("match", sample, "--policy", policy_file, "-o", out, "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["status"] in ("optimal", "feasible")
    assert {"objective", "gap", "bound", "metrics", "timings"} <= set(summary)
    rows = read_assignments(out)
    matched = [r for r in rows if r["mentor_id"]]
    assert len(matched) == summary["metrics"]["matched_places"]
    assert abs(sum(r["score"] for r in matched) - summary["objective"]) < 1e-4
    assert "total score" in result.stderr


def test_match_output_is_byte_identical_across_runs(run, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for out in (a, b):
        args = ("match", DATA / "coaching-sample.csv", "--policy", DATA / "coaching.toml")
        assert run(*args, "-o", out).exit_code == 0
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("objective", ["total", "fair", "stable"])
def test_match_objectives_pass_the_checker(run, tmp_path, objective):
    from dataclasses import replace

    from matcher.io.cohort_csv import write_cohort
    from matcher.model import Objective
    from matcher.solve import solve

    # Minimum loads need cpsat, so this cohort drops them to reach every objective.
    sample = read_cohort(DATA / "coaching-sample.csv")
    mentors = tuple(replace(m, min_capacity=0) for m in sample.mentors)
    cohort_file, out = tmp_path / "cohort.csv", tmp_path / "pairs.csv"
    write_cohort(replace(sample, mentors=mentors), cohort_file)
    policy_file = DATA / "coaching.toml"
    args = ("match", cohort_file, "--policy", policy_file, "--objective", objective, "-o", out)
    assert run(*args).exit_code == 0
    cohort = read_cohort(cohort_file)
    policy = replace(load_policy(policy_file), objective=Objective(objective))
    result = solve(cohort, policy)
    assert check(cohort, policy, result) == []
    written = {(r["mentee_id"], r["mentor_id"]) for r in read_assignments(out) if r["mentor_id"]}
    assert written == {(p.mentee_id, p.mentor_id) for p in result.pairs}


def test_stable_with_the_sheets_minimum_loads_says_how_stable(run, tmp_path):
    args = ("match", DATA / "coaching-sample.csv", "--policy", DATA / "coaching.toml")
    result = run(*args, "--objective", "stable", "-o", tmp_path / "pairs.csv")
    assert result.exit_code == 0, result.stderr
    assert "a stable matching meets the minimum loads" in result.stderr
    assert "blocking pairs: 0" in result.stderr


def test_fair_honours_the_sheets_minimum_loads(run, tmp_path):
    out = tmp_path / "pairs.csv"
    args = ("match", DATA / "coaching-sample.csv", "--policy", DATA / "coaching.toml")
    result = run(*args, "--objective", "fair", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "optimal (fair)" in result.stderr


def test_match_with_scores_only(run, tmp_path):
    cohort = tmp_path / "c.csv"
    cohort.write_text("id,role,capacity\nA,mentee,1\nB,mentee,1\nX,mentor,1\nY,mentor,1\n")
    scores = tmp_path / "s.csv"
    scores.write_text("mentee_id,mentor_id,score\nA,X,5\nA,Y,1\nB,X,4\n")
    out = tmp_path / "pairs.csv"
    result = run("match", cohort, "--scores", scores, "--scores-only", "-o", out)
    assert result.exit_code == 0, result.stderr
    pairs = {(r["mentee_id"], r["mentor_id"]) for r in read_assignments(out) if r["mentor_id"]}
    assert pairs == {("A", "Y"), ("B", "X")}  # both matched beats the single best score


def test_explain_names_the_mentor_or_the_reason(run):
    sample, policy_file = DATA / "coaching-sample.csv", DATA / "coaching.toml"
    cohort = read_cohort(sample)
    mentee = cohort.mentees[0].id
    result = run("explain", sample, mentee, "--policy", policy_file)
    assert result.exit_code == 0, result.stderr
    assert mentee in result.stdout
    assert run("explain", sample, "NOBODY", "--policy", policy_file).exit_code == 2
