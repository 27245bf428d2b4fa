"""Smoke test of ``python -m benchmarks.run``: tiny sizes, results in a temporary folder.

Checks the JSON structure, that every exact baseline reaches our objective, that the
checker passed everywhere (also on the pairs files the CLI wrote for the generated
suite), and the driver's handling of bad input. No timings asserted.
The run gets a PATH without this interpreter's bin/ folder, as a shell without the
virtual environment activated has: every subprocess must start from ``sys.executable``.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.cli_output import check_files
from benchmarks.common import CheckFailed, parse_size, require_valid
from benchmarks.run import failures
from benchmarks.suites.baselines import EXACT
from matcher.cli.report import summary_dict
from matcher.io.cohort_csv import read_assignments, write_pairs
from matcher.io.generate import generate_cohort
from matcher.io.policy import preset
from matcher.results import MatchResult, Pair, Status
from matcher.solve import solve

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("bench")
    venv_bin = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != venv_bin)
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--smoke", "--out", str(out)],
        cwd=ROOT,
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    found = {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}
    return {"out": out, "json": found}


def test_every_suite_wrote_json_with_machine_and_settings(smoke):
    found = smoke["json"]
    suites = {
        "scale",
        "generated",
        "baselines",
        "fairness",
        "stable",
        "rematch",
        "orlib",
        "service",
    }
    assert set(found) == suites
    for name, data in found.items():
        assert data["suite"] == name
        assert data["machine"]["cpu_count"] >= 1
        assert set(data["machine"]["versions"]) >= {"ortools", "numpy", "scipy"}
        speed = data["machine"]["host_speed"]
        assert 0 < speed["python_loop_s"] < 60 and 0 < speed["numpy_sort_s"] < 60
        assert set(data["machine"]["host_speed_after"]) == set(speed)
        assert data["settings"]["mode"] == "smoke"
    readme = (smoke["out"] / "README.md").read_text()
    assert readme.count("### ") == len(suites)
    assert readme.count("Host: Python loop ") == len(suites)  # each table beside its host
    assert readme.count(" then ") >= 2 * len(suites)  # read before and after each suite
    assert (smoke["out"] / "scale.png").stat().st_size > 1000


def test_scale_is_certified_and_checked(smoke):
    (row,) = smoke["json"]["scale"]["results"]["rows"]
    assert row["size"] == [200, 40]
    assert row["status"] == "optimal" and row["certified"] is True
    assert row["checker"] == "passed"
    assert set(row["stages"]) >= {"build", "flow", "explain"}
    assert row["peak_rss_mib"] > 0 and row["solve"]["cpu_median_s"] > 0


def test_generated_cohorts_go_through_the_cli_and_the_checker(smoke):
    res = smoke["json"]["generated"]["results"]
    (row,) = res["rows"]
    assert row["size"] == [200, 40] and row["mentors_with_min_load"] > 0
    for key in ("as_generated", "no_min_loads"):
        a = row[key]
        assert (a["solver"], a["status"], a["certified"]) == ("flow", "optimal", True), key
        assert a["check"]["checker"] == "passed" and a["check"]["pairs"] == a["matched_places"]
        assert 0 < a["matched_places"] < a["wanted_places"], key  # people left unmatched
        assert set(a["stages"]) >= {"read", "build", "flow", "explain"}
        assert a["wall"]["median_s"] > sum(a["stages"].values())
        assert a["peak_rss_mib"] is None or a["peak_rss_mib"] > 0
    assert row["ratio_to_no_min_loads"] > 0
    assert row["first_run_s"] > 0  # timed apart from the medians
    assert row["verify"]["wall"]["median_s"] > 0  # the first run's receipt verified (exit 0)
    assert all(
        a["wall"]["runs"] == smoke["json"]["generated"]["settings"]["repeat"]
        for a in (row["as_generated"], row["no_min_loads"])
    )
    sample = res["sample"]
    assert {"python_start", "cli_help", "match"} <= set(sample)
    assert sample["match"]["wall"]["runs"] == 1
    assert sample["checked_run"]["certified"] is True
    assert sample["checked_run"]["check"]["checker"] == "passed"


def test_the_pairs_file_check_finds_a_tampered_file():
    cohort, policy = generate_cohort(30, 8, 0), preset("coaching")
    result = solve(cohort, policy)
    written = io.BytesIO()
    write_pairs(result, written, cohort)
    rows = read_assignments(written.getvalue())
    summary = json.loads(json.dumps(summary_dict(result)))
    assert check_files(cohort, policy, rows, summary) == []
    first = next(k for k, r in enumerate(rows) if r["mentor_id"])
    rows[first] = rows[first] | {"score": rows[first]["score"] + 0.01}
    found = check_files(cohort, policy, rows, summary)
    assert any("has score" in m for m in found) and any("objective" in m for m in found)
    del rows[first]
    found = check_files(cohort, policy, rows, summary)
    assert any("not listed as unmatched" in m for m in found)


def test_exact_baselines_match_our_objective(smoke):
    (entry,) = smoke["json"]["baselines"]["results"]["sizes"]
    methods = entry["methods"]
    assert set(methods) == {"ours", "flow_dense", *EXACT, "greedy"}
    ours = methods["ours"]
    assert ours["matched"] == 200 and ours["checker"] == "passed"
    for name in EXACT:
        if methods[name].get("no_solution"):
            continue  # plain CP-SAT may find nothing in its time limit
        assert methods[name]["checker"] == "passed", name
        assert methods[name]["equal_to_ours"] is True, name
        assert methods[name]["scaled_total"] == ours["scaled_total"], name
    assert methods["greedy"]["checker"] == "passed"
    assert methods["greedy"]["total"] <= ours["total"] + 1e-9


def test_fairness_stable_orlib_and_service_hook(smoke):
    fair = smoke["json"]["fairness"]["results"]
    assert fair["fairness"]["fair"]["status"] == "optimal"
    assert fair["fairness"]["fair"]["min_score"] >= fair["fairness"]["plain"]["min_score"]
    side = fair["side_rules"]
    assert side["side_rules"]["solver"] == "flow" and side["side_rules"]["certified"] is True
    assert side["cpsat"]["solver"] == "cpsat"
    assert side["cpsat"]["objective"] <= side["side_rules"]["objective"] + 1e-6
    (row,) = smoke["json"]["stable"]["results"]["rows"]
    assert row["ours"]["blocking_pairs"] == 0
    assert row["ours"]["mentor_proposing"]["blocking_pairs"] == 0
    for baseline in ("package", "python"):
        assert row[baseline]["blocking_pairs"] == 0, baseline
        assert row[baseline]["same_as_ours"] is True, baseline
    rows = smoke["json"]["orlib"]["results"]["rows"]
    assert [r["instance"] for r in rows] == ["assign100", "assign200"]
    assert all(r["ours"] == r["optimum"] == r["scipy"] for r in rows)
    service = smoke["json"]["service"]["results"]
    waitress = service["sync_match"]["servers"]["waitress"]
    assert waitress["same_pairs_as_solve"] is True
    assert waitress["concurrent"]["errors"] == 0 and waitress["concurrent"]["requests"] == 20
    run = service["celery_run"]
    assert run["runs"][0]["solver_status"] == "optimal" and run["service"]["runs"] == 1


def test_rematch_moves_few_and_matches_as_many_as_a_fresh_solve(smoke):
    rows = smoke["json"]["rematch"]["results"]["rows"]
    assert [r["path"] for r in rows] == ["flow", "min_loads"]
    for r in rows:
        ours, fresh = r["rematch"], r["fresh"]
        assert ours["checker"] == fresh["checker"] == "passed", r["path"]
        assert r["leaver_mentees"] >= 1 and ours["moves"] >= r["leaver_mentees"]
        assert fresh["kept"] <= ours["kept"] <= r["previous_pairs"] - r["leaver_mentees"]
        assert r["places_below_fresh"] is False
    flow = rows[0]
    assert flow["rematch"]["status"] == flow["fresh"]["status"] == "optimal"
    assert flow["rematch"]["matched_places"] == flow["fresh"]["matched_places"]
    assert rows[1]["min_loads"] > 0 and rows[1]["fresh"]["solver"] == "flow"


def test_failures_finds_unequal_and_broken_results():
    data = {"sizes": [{"methods": {"lsa": {"method": "lsa", "equal_to_ours": False}}}]}
    assert failures("baselines", data) == [
        "baselines /sizes[0]/methods/lsa: objective differs from ours"
    ]
    assert failures("x", {"a": {"error": "boom", "timed_out": False}}) == ["x /a: boom"]
    assert failures("x", {"a": {"error": "cap", "timed_out": True}}) == []
    assert failures("x", {"a": {"method": "greedy", "equal_to_ours": False}}) == []
    # CP-SAT stopped by its time limit may stay short of our optimum, never pass it
    short = {"method": "cpsat", "status": "FEASIBLE", "equal_to_ours": False, "total_vs_ours": 0.99}
    assert failures("x", {"a": short}) == []
    above = {**short, "total_vs_ours": 1.01}
    assert failures("x", {"a": above}) == ["x /a: objective differs from ours"]
    proven = {**short, "status": "OPTIMAL"}
    assert failures("x", {"a": proven}) == ["x /a: objective differs from ours"]
    assert failures("rematch", {"rows": [{"places_below_fresh": True}]}) == [
        "rematch /rows[0]: rematch matched fewer places than a fresh solve"
    ]


def test_bad_sizes_and_suite_names_are_rejected():
    with pytest.raises(ValueError, match="expected MENTEESxMENTORS"):
        parse_size("100by20")
    with pytest.raises(ValueError):
        parse_size("0x5")
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--only", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "unknown suite(s) nope" in done.stderr


def test_require_valid_fails_loudly_on_a_broken_result():
    cohort = generate_cohort(5, 2, 0)
    policy = preset("coaching")
    pair = Pair(cohort.mentees[0].id, cohort.mentees[1].id, 0.5)  # a mentee as mentor
    result = MatchResult(solver="hand", status=Status.FEASIBLE, pairs=(pair,), objective=0.5)
    with pytest.raises(CheckFailed, match="hand: checker found"):
        require_valid(cohort, policy, result, "hand")
