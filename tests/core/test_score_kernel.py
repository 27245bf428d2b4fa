"""The compiled score blocks (LazyScores at scale) equal the dense matrix bit for bit.

Every component kind: code tables, tag credit with related skills, listed preferences and
external values after the first component, a preference-only policy (listed values first,
through numpy), question attributes (numpy inside the compiled pass), scores only.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from matcher.encode import lazy_scores
from matcher.encode.lazy_scores import LazyScores
from matcher.encode.prepare import prepare
from matcher.encode.score_kernel import score_chunks
from matcher.encode.scoring import score_matrix
from matcher.model import (
    WEIGHT_KEYS,
    AttributeMatch,
    AttributeRule,
    DepartmentRule,
    Policy,
    Weights,
)
from tests.core.test_scoring import random_cohort


@pytest.fixture(autouse=True)
def compiled(monkeypatch):
    """Every LazyScores here takes the compiled path, however small."""
    monkeypatch.setattr(lazy_scores, "COMPILED_CELLS", 0)


ALL = Weights(**{c: float(k + 1) for k, c in enumerate(WEIGHT_KEYS)})


def _blocks_equal_the_matrix(cohort, policy, spans=((0, 1), (3, 11), (0, None))):
    tables = prepare(cohort, policy).tables
    matrix = score_matrix(tables)
    lazy = LazyScores(tables)
    for start, stop in spans:
        assert np.array_equal(lazy[start:stop], matrix[start:stop])
    if lazy.chunked:
        _runs_equal_the_matrix(lazy, matrix)
    return lazy


def _runs_equal_the_matrix(lazy, matrix, width=4):
    """Runs of ``width`` mentors scored alone (score_chunks) equal the matrix's cells;
    past the last mentor they are -inf."""
    n_e, n_m = matrix.shape
    starts = np.arange(0, n_m, width)
    rows = np.repeat(np.arange(n_e), starts.size)[::-1]  # any order
    out = np.empty((rows.size, width))
    score_chunks(lazy._compiled_plan(), rows, np.tile(starts, n_e)[::-1], out)
    padded = np.full((n_e, starts.size * width), -np.inf)
    padded[:, :n_m] = matrix
    assert np.array_equal(out[::-1].reshape(n_e, -1), padded)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("preference", list(DepartmentRule))
def test_every_component_kind_equals_the_matrix(seed, preference):
    policy = Policy(
        weights=ALL,
        related_skills=(("s1", "s2", 0.3), ("s3", "s1", 0.6)),
        department_preference=preference,
    )
    lazy = _blocks_equal_the_matrix(random_cohort(23, 9, seed), policy)
    assert lazy._plan  # the compiled path ran


def test_listed_values_first_and_scores_only():
    cohort = random_cohort(17, 6, 4)
    only_pref = Weights(**{**dict.fromkeys(WEIGHT_KEYS, 0.0), "preference": 2.0})
    _blocks_equal_the_matrix(cohort, Policy(weights=only_pref))
    only_goals = Weights(**{**dict.fromkeys(WEIGHT_KEYS, 0.0), "goals": 1.0})
    _blocks_equal_the_matrix(cohort, Policy(weights=replace(only_goals, external=0.5)))
    _blocks_equal_the_matrix(cohort, Policy(weights=Weights(**dict.fromkeys(WEIGHT_KEYS, 0.0))))


def test_below_the_threshold_blocks_are_numpy(monkeypatch):
    monkeypatch.setattr(lazy_scores, "COMPILED_CELLS", 10**9)
    lazy = _blocks_equal_the_matrix(random_cohort(9, 4, 6), Policy(weights=ALL))
    assert lazy._plan is False


def test_question_attributes_inside_the_compiled_pass():
    cohort = random_cohort(15, 7, 5)
    rng = np.random.default_rng(5)
    channels = ["Video", "In person", "Phone"]

    def answered(person):
        return replace(person, attributes=(("channel", str(rng.choice(channels))),))

    cohort = replace(
        cohort,
        mentees=tuple(answered(e) for e in cohort.mentees),
        mentors=tuple(answered(m) for m in cohort.mentors),
    )
    rule = AttributeRule("channel", AttributeMatch("same"), 1.0)
    policy = Policy(weights=replace(ALL, attributes=2.0), attributes=(rule,))
    lazy = _blocks_equal_the_matrix(cohort, policy)
    assert "attributes" in lazy._plan.numpy_names
    assert not lazy.chunked  # a run alone cannot take numpy's block-wise components
    with pytest.raises(ValueError, match="numpy"):
        score_chunks(lazy._plan, np.zeros(1, np.int64), np.zeros(1, np.int64), np.empty((1, 4)))
