"""`mentormatch scenario` and `mentormatch rematch` as a coordinator runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.checker import check
from matcher.cli import main
from matcher.io.cohort_csv import read_assignments, read_cohort
from matcher.io.policy import load_policy

DATA = Path(__file__).resolve().parents[2] / "data"
SAMPLE = DATA / "coaching-sample.csv"


@pytest.fixture
def run():
    def invoke(*args):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture
def previous(run, tmp_path):
    out = tmp_path / "before.csv"
    assert run("match", SAMPLE, "--policy", DATA / "coaching.toml", "-o", out).exit_code == 0
    return out


def test_scenario_sweep_prints_the_table_json_and_picture(run, tmp_path):
    svg = tmp_path / "sweep.svg"
    result = run(
        "scenario", SAMPLE, "--vary", "capacity.all=1,2,3", "--plot", svg, "--json", "--people"
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [r["name"] for r in data["table"]] == [
        "baseline",
        "capacity.all=1",
        "capacity.all=2",
        "capacity.all=3",
    ]
    assert data["comparisons"][0]["params"] == {"capacity.all": 1}
    assert "people" in data["comparisons"][0]
    assert "mentormatch scenarios" in result.stderr and "capacity.all=2" in result.stderr
    assert svg.read_bytes().startswith(b"<?xml")


def test_scenario_needs_variants_and_reports_bad_keys(run, tmp_path):
    assert run("scenario", SAMPLE).exit_code == 2
    bad = run("scenario", SAMPLE, "--vary", "capacity.al=1")
    assert bad.exit_code == 2 and "did you mean 'capacity.all'?" in bad.stderr
    bad = run("scenario", SAMPLE, "--vary", "capacity.all=1", "--plot", tmp_path / "x.pdf")
    assert bad.exit_code == 2 and ".png or .svg" in bad.stderr
    file = tmp_path / "what.toml"
    file.write_text('[[scenarios]]\nname = "a"\nremove_mentors = ["M99"]\n', encoding="utf-8")
    bad = run("scenario", SAMPLE, "--scenarios", file)
    assert bad.exit_code == 2
    assert "what.toml, column 'scenarios[0].remove_mentors[0]'" in bad.stderr


def test_rematch_after_a_mentor_leaves(run, previous, tmp_path):
    before = {
        (r["mentee_id"], r["mentor_id"]) for r in read_assignments(previous) if r["mentor_id"]
    }
    leaver = "M03"
    out = tmp_path / "after.csv"
    result = run(
        "rematch",
        SAMPLE,
        "--policy",
        DATA / "coaching.toml",
        "--previous",
        previous,
        "--remove-mentor",
        leaver,
        "-o",
        out,
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    after = {(r["mentee_id"], r["mentor_id"]) for r in read_assignments(out) if r["mentor_id"]}
    assert {p for p in before if p[1] != leaver} <= after  # nobody else moved
    assert data["kept"] == len([p for p in before if p[1] != leaver])
    assert {m["from_mentor"] for m in data["moves"] if m["from_mentor"]} <= {leaver}
    assert "who moved and why" in result.stderr and f"mentor {leaver} left" in result.stderr


def test_rematch_result_passes_the_checker_with_every_option(run, previous, tmp_path):
    from matcher.whatif.rematch import previous_pairs, rematch

    joiners = tmp_path / "join.csv"
    joiners.write_text(
        "id,role,seniority,skills,languages\nJ1,mentee,1,python,english\n", encoding="utf-8"
    )
    out = tmp_path / "after.csv"
    args = ["--capacity", "M01=1", "--break", "E01:M04", "--remove-mentee", "E02"]
    result = run(
        "rematch",
        SAMPLE,
        "--policy",
        DATA / "coaching.toml",
        "--previous",
        previous,
        "--add",
        joiners,
        *args,
        "--move-cost",
        "0.5",
        "-o",
        out,
    )
    assert result.exit_code == 0, result.stderr
    policy = load_policy(DATA / "coaching.toml")
    cohort = read_cohort(SAMPLE, aliases=dict(policy.aliases))
    changes = {
        "capacity": {"mentors": {"M01": 1}},
        "break": [["E01", "M04"]],
        "remove_mentees": ["E02"],
        "add": [
            {
                "id": "J1",
                "role": "mentee",
                "seniority": 1,
                "skills": "python",
                "languages": "english",
            }
        ],
    }
    again = rematch(
        cohort, policy, previous_pairs(read_assignments(previous)), changes, move_cost=0.5
    )
    assert check(again.cohort, again.policy, again.result) == []
    written = {(r["mentee_id"], r["mentor_id"]) for r in read_assignments(out) if r["mentor_id"]}
    assert written == {(p.mentee_id, p.mentor_id) for p in again.result.pairs}
    assert ("E01", "M04") not in written


def test_rematch_reports_bad_options_with_their_names(run, previous, tmp_path):
    joiners = tmp_path / "join.csv"
    joiners.write_text("id,role,capacity\nE01,mentee,x\n", encoding="utf-8")
    result = run(
        "rematch",
        SAMPLE,
        "--previous",
        previous,
        "--remove-mentor",
        "M3",
        "--add",
        joiners,
        "--break",
        "E01-M04",
        "-o",
        tmp_path / "o.csv",
    )
    assert result.exit_code == 2
    assert "--break" in result.stderr and "MENTEE_ID:MENTOR_ID" in result.stderr
    result = run(
        "rematch",
        SAMPLE,
        "--previous",
        previous,
        "--remove-mentor",
        "M3",
        "--add",
        joiners,
        "-o",
        tmp_path / "o.csv",
    )
    assert result.exit_code == 2
    assert "--remove-mentor, column 'remove_mentors[0]'" in result.stderr
    assert "join.csv, line 2, column 'capacity'" in result.stderr
    stale = tmp_path / "stale.csv"
    stale.write_text("mentee_id,mentor_id,score,pinned,explanation\nE99,M01,0.5,false,\n", "utf-8")
    result = run("rematch", SAMPLE, "--previous", stale, "-o", tmp_path / "o.csv")
    assert result.exit_code == 2 and "stale.csv, record 1, column 'mentee_id'" in result.stderr


def test_rematch_a_mentor_sitting_out_moves_their_mentees(run, previous, tmp_path):
    had = [r for r in read_assignments(previous) if r["mentor_id"] == "M01"]
    assert had
    result = run(
        "rematch", SAMPLE, "--previous", previous, "--capacity", "M01=0", "-o", tmp_path / "o.csv"
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("mentor M01 sits this round out") == len(had)
