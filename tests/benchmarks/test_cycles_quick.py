"""Smoke test of ``benchmarks/cycles.py`` at a tiny size: every mode's result passes the
checker, avoid keeps no earlier pair, prefer keeps them all, the routes answer
with the prepared-cohort cache off and on. No
timings asserted."""

from __future__ import annotations

import json

from benchmarks.cycles import main


def test_cycles_benchmark_measures_checked_results(tmp_path, monkeypatch):
    monkeypatch.setenv("MENTORMATCH_INSTANCE_PATH", str(tmp_path / "instance"))
    out = tmp_path / "cycles.json"
    report = main(
        ["--mentees", "40", "--mentors", "10", "--repeat", "1", "--routes", "--out", str(out)]
    )
    assert json.loads(out.read_text()) == report
    modes = report["solve"]["modes"]
    assert {m["check"] for m in modes.values()} == {"ok"}
    assert modes["avoid"]["kept"] == 0
    assert modes["prefer"]["kept"] == modes["ignore"]["kept"] == report["solve"]["earlier_pairs"]
    routes = report["routes"]
    assert set(routes) == {"no_cache", "cache", "speedup"}
    for side in ("no_cache", "cache"):
        assert set(routes[side]) == {"suggestions", "request", "decline"}
        assert routes[side]["suggestions"]["ratio"] == 1.0
    assert set(routes["speedup"]) == {"suggestions", "request", "decline"}
