"""Scenario files, sweeps, the trade-off table and the picture (reproducible)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.checker import check
from matcher.io.cohort_csv import read_cohort
from matcher.io.policy import load_policy
from matcher.model import InputError
from matcher.whatif.scenarios import (
    load_scenarios,
    run_scenarios,
    scenario_run_to_dict,
    trade_off_table,
)
from matcher.whatif.sweep import change_for, parse_value, parse_vary, plot_sweep, vary_scenarios

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def sample():
    policy = load_policy(DATA / "coaching.toml")
    return read_cohort(DATA / "coaching-sample.csv", aliases=dict(policy.aliases)), policy


def test_vary_gives_every_combination_in_order():
    out = vary_scenarios([("capacity.all", [1, 2]), ("weights.skills", [0.5, 1.0])])
    assert [s["name"] for s in out] == [
        "capacity.all=1, weights.skills=0.5",
        "capacity.all=1, weights.skills=1",
        "capacity.all=2, weights.skills=0.5",
        "capacity.all=2, weights.skills=1",
    ]
    assert out[1]["capacity"] == {"all": 1} and out[1]["policy"] == {"weights": {"skills": 1.0}}
    assert out[3]["params"] == [["capacity.all", 2], ["weights.skills", 1.0]]


def test_sweep_keys_and_values():
    assert parse_vary("capacity.all=1, 2,3") == ("capacity.all", [1, 2, 3])
    assert parse_vary("seniority.min_gap=none,1") == ("seniority.min_gap", ["none", 1])
    assert [parse_value(x) for x in ("true", "0.5", "fair")] == [True, 0.5, "fair"]
    assert change_for("capacity.mentors.M1", 2) == {"capacity": {"mentors": {"M1": 2}}}
    with pytest.raises(InputError) as caught:
        vary_scenarios([("capacity.al", [1]), ("weights.goals", [1]), ("weights.goals", [2])])
    text = caught.value.report()
    assert "did you mean 'capacity.all'?" in text and "the key is swept twice" in text
    with pytest.raises(InputError, match="sweep was rejected"):
        parse_vary("capacity.all")


def test_a_capacity_sweep_is_checked_and_reproducible(sample, tmp_path):
    cohort, policy = sample
    sweep = vary_scenarios([("capacity.all", [1, 2, 3])])
    first = run_scenarios(cohort, policy, sweep)
    for v in first.variants:
        assert check(v.cohort, v.policy, v.result) == []
        assert v.comparison.baseline.matched_places == len(first.baseline.pairs)
    table = trade_off_table(first)
    assert [r["name"] for r in table] == [
        "baseline",
        "capacity.all=1",
        "capacity.all=2",
        "capacity.all=3",
    ]
    matched = [r["matched_places"] for r in table[1:]]
    assert matched == sorted(matched) and table[1]["load_max"] == 1
    again = run_scenarios(cohort, policy, sweep)
    assert json.dumps(scenario_run_to_dict(again, people=True)) == json.dumps(
        scenario_run_to_dict(first, people=True)
    )
    a, b = plot_sweep(first, tmp_path / "a.svg"), plot_sweep(again, tmp_path / "b.svg")
    assert a.read_bytes() == b.read_bytes() and b"capacity.all" in a.read_bytes()
    png = plot_sweep(first, tmp_path / "c.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(InputError, match="cannot draw"):
        plot_sweep(first, tmp_path / "c.pdf")


def test_the_example_file_loads_and_runs(sample):
    scenarios = load_scenarios(DATA / "scenarios-example.toml")
    names = [s["name"] for s in scenarios]
    assert names[:2] == ["mentors take 3", "goals over skills"]
    assert names[-3:] == ["capacity.all=1", "capacity.all=2", "capacity.all=4"]
    from matcher.io.generate import generate_cohort
    from matcher.io.policy import preset

    cohort = generate_cohort(40, 12, 5)  # has M00002 and M00003, like the example
    run = run_scenarios(cohort, preset("mentoring"), scenarios[:4])
    assert len(run.variants) == 4
    joined = run.variants[3]
    assert {"J001", "J002"} <= set(joined.cohort.mentee_ids)
    assert "M00002" not in joined.cohort.mentor_ids


def test_scenario_problems_are_all_reported_with_their_index(sample, tmp_path):
    cohort, policy = sample
    bad = [{"name": "x", "capacity": {"al": 2}}, {"name": "x"}, {"remove_mentors": ["M99"]}]
    with pytest.raises(InputError) as caught:
        run_scenarios(cohort, policy, bad, source="s.toml")
    columns = [p.column for p in caught.value.problems]
    assert columns == [
        "scenarios[0].capacity.al",
        "scenarios[1].name",
        "scenarios[2].remove_mentors[0]",
    ]
    path = tmp_path / "s.toml"
    path.write_text('scenario = []\n[vary]\n"capacity.all" = 3\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenarios(path)
    text = caught.value.report()
    assert "did you mean 'scenarios'?" in text and "key = [value, value, ...]" in text
    path.write_text("[[scenarios]\n", encoding="utf-8")
    with pytest.raises(InputError, match="scenario file was rejected") as caught:
        load_scenarios(path)
    assert caught.value.problems[0].line == 1
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenarios(path)
    assert "no scenarios" in caught.value.report()
