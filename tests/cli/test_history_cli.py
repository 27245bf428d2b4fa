"""``mentormatch match --history-from``: an earlier cycle's pairs file avoided or preferred."""

from dataclasses import replace
from pathlib import Path

from matcher.checker import check
from matcher.io.cohort_csv import read_assignments, read_cohort
from matcher.io.policy import load_policy
from matcher.model import History

DATA = Path(__file__).resolve().parents[2] / "data"


def _pairs(path):
    return {(r["mentee_id"], r["mentor_id"]) for r in read_assignments(path) if r["mentor_id"]}


def test_avoid_repeats_no_pair_of_the_earlier_file(run, tmp_path):
    sheet, policy_file = DATA / "coaching-sample.csv", DATA / "coaching.toml"
    first = tmp_path / "cycle1.csv"
    assert run("match", sheet, "--policy", policy_file, "-o", first).exit_code == 0
    second = tmp_path / "cycle2.csv"
    result = run(
        "match",
        sheet,
        "--policy",
        policy_file,
        "--history-from",
        first,
        "--history",
        "avoid",
        "-o",
        second,
    )
    assert result.exit_code == 0, result.stderr
    earlier, now = _pairs(first), _pairs(second)
    assert earlier and now and not earlier & now
    # The checker agrees, given the policy the command built.
    policy = replace(
        load_policy(policy_file), previous_pairs=tuple(sorted(earlier)), history=History.AVOID
    )
    cohort = read_cohort(sheet)
    from matcher.solve import solve

    assert check(cohort, policy, solve(cohort, policy)) == []


def test_prefer_keeps_the_earlier_pairs_and_says_so(run, tmp_path):
    sheet, policy_file = DATA / "coaching-sample.csv", DATA / "coaching.toml"
    first = tmp_path / "cycle1.csv"
    run("match", sheet, "--policy", policy_file, "-o", first)
    second = tmp_path / "cycle2.csv"
    result = run(
        "match",
        sheet,
        "--policy",
        policy_file,
        "--history-from",
        first,
        "--history",
        "prefer",
        "-o",
        second,
    )
    assert result.exit_code == 0, result.stderr
    assert _pairs(second) == _pairs(first)
    rows = [r for r in read_assignments(second) if r["mentor_id"]]
    assert all(r["explanation"].startswith("paired last cycle (+0.1") for r in rows)


def test_a_file_that_is_not_a_pairs_file_is_named(run, tmp_path):
    bad = tmp_path / "notpairs.csv"
    bad.write_text("who,what\nx,y\n", encoding="utf-8")
    result = run("match", DATA / "coaching-sample.csv", "--history-from", bad)
    assert result.exit_code == 2
    assert "notpairs.csv" in result.stderr


def test_verify_takes_the_history_files_match_took(run, tmp_path):
    sheet, policy_file = DATA / "coaching-sample.csv", DATA / "coaching.toml"
    first, other = tmp_path / "cycle1.csv", tmp_path / "other.csv"
    assert run("match", sheet, "--policy", policy_file, "-o", first).exit_code == 0
    # another earlier cycle's file: the first one less its first pair
    lines = first.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    other.write_text("".join(lines[:1] + lines[2:]), encoding="utf-8")
    second, receipt = tmp_path / "cycle2.csv", tmp_path / "cycle2.receipt.json"
    history = ("--history-from", first, "--history", "avoid")
    made = run(
        "match", sheet, "--policy", policy_file, *history, "-o", second, "--receipt", receipt
    )
    assert made.exit_code == 0, made.stderr
    ok = run("verify", receipt, sheet, second, "--policy", policy_file, *history)
    assert ok.exit_code == 0, ok.stderr
    assert "verified:" in ok.stderr
    from matcher.cli.common import with_history_files
    from matcher.solve import solve

    cohort = read_cohort(sheet)
    policy = with_history_files(load_policy(policy_file), [first], "avoid")
    assert check(cohort, policy, solve(cohort, policy)) == []
    # without the history file, or with another one, the policy is not the receipt's
    bare = run("verify", receipt, sheet, second, "--policy", policy_file)
    assert bare.exit_code == 4 and "policy digest differs" in bare.stderr
    wrong = run(
        "verify",
        receipt,
        sheet,
        second,
        "--policy",
        policy_file,
        "--history-from",
        other,
        "--history",
        "avoid",
    )
    assert wrong.exit_code == 4, wrong.stderr
    assert "policy digest differs" in wrong.stderr
    assert "--history-from (and --history) are part of the policy" in wrong.stderr
    # a history file that is not a pairs file is named, as match names it
    bad = tmp_path / "notpairs.csv"
    bad.write_text("who,what\nx,y\n", encoding="utf-8")
    unread = run("verify", receipt, sheet, second, "--policy", policy_file, "--history-from", bad)
    assert unread.exit_code == 2 and "notpairs.csv" in unread.stderr
