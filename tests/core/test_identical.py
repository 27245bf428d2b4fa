"""Approval test: every solver's complete output on the sample cohorts, fingerprinted.

A refactor must not change a byte of any result (pairs, components, explanations,
reasons, alternates, metrics, bound, notes). When a change is meant to alter results,
regenerate the fingerprints with ``python -m benchmarks.identical --write
tests/data/golden/identical-small.json`` and say why in the commit.
"""

import json
from pathlib import Path

import pytest

from benchmarks.identical import cases, digest

GOLDEN = Path(__file__).resolve().parents[1] / "data/golden/identical-small.json"
EXPECTED = json.loads(GOLDEN.read_text())
CASES = list(cases(large=False))


@pytest.mark.parametrize(("name", "run"), CASES, ids=[name for name, _ in CASES])
def test_output_is_unchanged(name, run):
    assert digest(run()) == EXPECTED[name]


@pytest.mark.parametrize(("name", "run"), CASES, ids=[name for name, _ in CASES])
def test_output_is_unchanged_with_scores_on_demand(name, run, monkeypatch):
    """Large cohorts keep no score matrix (LazyScores); forced here at every size."""
    import matcher.encode.prepare

    monkeypatch.setattr(matcher.encode.prepare, "DENSE_CELLS", 0)
    assert digest(run()) == EXPECTED[name]
