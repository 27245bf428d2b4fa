"""Score components by hand, the weighted total, and matrix path == pair path."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.encode.prepare import prepare
from matcher.encode.scoring import (
    active_components,
    block_components,
    combine,
    pair_components,
    pair_scores,
    score_matrix,
)
from matcher.model import (
    WEIGHT_KEYS,
    Cohort,
    DepartmentRule,
    ExternalScores,
    Mentee,
    Mentor,
    Policy,
    SeniorityRule,
    Skill,
    Weights,
)

ALL = Weights(**dict.fromkeys(WEIGHT_KEYS, 1.0))


def components(mentees, mentors, policy=None, **cohort_kw):
    """Every component's (n_mentees, n_mentors) matrix, via the matrix path."""
    cohort = Cohort(mentors=tuple(mentors), mentees=tuple(mentees), **cohort_kw)
    policy = policy or Policy(weights=ALL)
    return block_components(prepare(cohort, policy).tables, 0, len(mentees))


def row(mentee, mentors, component, policy=None, **cohort_kw):
    return components([mentee], mentors, policy, **cohort_kw)[component][0].tolist()


# --------------------------------------------------------------------------- skills


def test_skill_levels_unknown_levels_and_missing_skills():
    mentors = [
        Mentor("M1", skills=(Skill("python", 4),)),  # above level 3: full credit
        Mentor("M2", skills=(Skill("python", 3),)),  # equal level: half
        Mentor("M3", skills=(Skill("python", 1),)),  # below: half
        Mentor("M4", skills=(Skill("python"),)),  # mentor level unknown: full
        Mentor("M5", skills=(Skill("sql", 5),)),  # lacks it: nothing
    ]
    assert row(Mentee("E1", skills=(Skill("python", 3),)), mentors, "skills") == [
        1.0,
        0.5,
        0.5,
        1.0,
        0.0,
    ]
    # mentee level unknown: any mentor holding the skill earns full credit
    assert row(Mentee("E1", skills=(Skill("python"),)), mentors, "skills") == [1, 1, 1, 1, 0]


def test_skills_score_is_the_mean_over_wanted_skills_and_zero_for_none():
    mentee = Mentee("E1", skills=(Skill("python", 2), Skill("sql", 4), Skill("go")))
    mentors = [Mentor("M1", skills=(Skill("python", 3), Skill("sql", 4)))]
    assert row(mentee, mentors, "skills") == [pytest.approx((1.0 + 0.5 + 0.0) / 3)]
    assert row(Mentee("E2"), mentors, "skills") == [0.0]


def test_related_skill_credit_is_symmetric_best_and_only_when_the_skill_is_missing():
    policy = Policy(
        weights=Weights(skills=1),
        related_skills=(("python", "ruby", 0.75), ("java", "python", 0.25)),
    )
    mentee = Mentee("E1", skills=(Skill("python", 5),))
    mentors = [
        Mentor("M1", skills=(Skill("ruby", 1),)),
        Mentor("M2", skills=(Skill("java"), Skill("ruby"))),  # best related credit counts
        Mentor("M3", skills=(Skill("java"),)),
        Mentor("M4", skills=(Skill("python", 5), Skill("ruby"))),  # holds it at <= level
        Mentor("M5", skills=(Skill("sql"),)),
    ]
    assert row(mentee, mentors, "skills", policy) == [0.75, 0.75, 0.25, 0.5, 0.0]
    # the other direction of the same pair
    assert row(
        Mentee("E2", skills=(Skill("ruby"),)),
        [Mentor("M", skills=(Skill("python"),))],
        "skills",
        policy,
    ) == [0.75]


def test_policy_aliases_apply_to_tags_again():
    policy = Policy(weights=Weights(skills=1, goals=1), aliases=(("py", "python"),))
    mentee = Mentee("E1", skills=(Skill("py", 1),), goals=("lead",))
    mentor = Mentor("M1", skills=(Skill("python", 2),), goals=("Lead",))
    got = components([mentee], [mentor], policy)
    assert got["skills"][0, 0] == 1.0
    assert got["goals"][0, 0] == 1.0


# --------------------------------------------------------------------------- goals and others


def test_goals_share_of_the_mentees_goals():
    mentors = [Mentor("M1", goals=("lead", "speak", "x")), Mentor("M2", goals=("z",)), Mentor("M3")]
    assert row(Mentee("E1", goals=("lead", "speak", "write", "y")), mentors, "goals") == [
        0.5,
        0.0,
        0.0,
    ]
    assert row(Mentee("E2"), mentors, "goals") == [0.0, 0.0, 0.0]


def test_seniority_peak_slope_unknown_and_zero_tolerance():
    policy = Policy(weights=Weights(seniority=1), seniority=SeniorityRule(ideal_gap=2, tolerance=4))
    mentors = [Mentor(f"M{s}", seniority=s) for s in (5, 4, 6, 3, 0, 10)] + [Mentor("Mx")]
    # gaps 2, 1, 3, 0, -3, 7 -> 1, .75, .75, .5, 0 (clipped), 0; unknown 0.5
    assert row(Mentee("E1", seniority=3), mentors, "seniority", policy) == [
        1.0,
        0.75,
        0.75,
        0.5,
        0.0,
        0.0,
        0.5,
    ]
    assert row(Mentee("E2"), mentors[:1], "seniority", policy) == [0.5]
    exact = Policy(weights=Weights(seniority=1), seniority=SeniorityRule(ideal_gap=1, tolerance=0))
    assert row(Mentee("E1", seniority=3), mentors[:2], "seniority", exact) == [0.0, 1.0]


def test_timezone_is_circular():
    def tz(h):
        return int(h * 60)

    mentors = [Mentor(f"M{k}", utc_offset_minutes=tz(h)) for k, h in enumerate((-11, 6, 12, 5.5))]
    mentors.append(Mentor("Mx"))
    # +13 vs -11 is 24 h = 0 h apart; +13 vs +6: 7 h; +13 vs +12: 1 h; +13 vs +5:30: 7.5 h
    assert row(Mentee("E1", utc_offset_minutes=tz(13)), mentors, "timezone") == pytest.approx(
        [1.0, 1 - 7 / 12, 1 - 1 / 12, 1 - 7.5 / 12, 0.5]
    )
    # 12 h apart is the farthest: 0
    assert row(Mentee("E2", utc_offset_minutes=0), mentors[2:3], "timezone") == [0.0]


def test_language_location_department():
    mentors = [
        Mentor("M1", languages=("en", "fr"), location="Paris", department="eng"),
        Mentor("M2", languages=("de",), location="Berlin", department="ops"),
        Mentor("M3"),
    ]
    mentee = Mentee("E1", languages=("fr",), location="paris", department="eng")
    got = components([mentee, Mentee("E2")], mentors)
    assert got["language"].tolist() == [[1.0, 0.0, 0.5], [0.5, 0.5, 0.5]]
    assert got["location"].tolist() == [[1.0, 0.0, 0.5], [0.5, 0.5, 0.5]]
    assert got["department"].tolist() == [[0.0] * 3, [0.0] * 3]  # preference ANY
    same = Policy(weights=ALL, department_preference=DepartmentRule.SAME)
    assert components([mentee], mentors, same)["department"].tolist() == [[1.0, 0.0, 0.5]]
    diff = Policy(weights=ALL, department_preference=DepartmentRule.DIFFERENT)
    assert components([mentee], mentors, diff)["department"].tolist() == [[0.0, 1.0, 0.5]]


def test_preference_ranks_both_sides_take_the_max():
    mentors = [
        Mentor("M1"),
        Mentor("M2", prefer=("E2", "E1")),  # E1 is M2's 2nd of 2: 0.5
        Mentor("M3"),
    ]
    # "M9" is not a mentor and "E2" not a mentor: the list is (M3, M2, M1), L = 3
    mentees = [Mentee("E1", prefer=("M3", "M9", "M2", "E2", "M1")), Mentee("E2")]
    got = components(mentees, mentors)["preference"].tolist()
    assert got == [[pytest.approx(1 / 3), pytest.approx(2 / 3), 1.0], [0.0, 1.0, 0.0]]


def test_external_scores_and_scores_only_total():
    scores = ExternalScores(
        mentee_index=np.array([0, 1, 0]),
        mentor_index=np.array([1, 0, 1]),
        value=np.array([7.0, -2.5, 3.0]),  # (0, 1) listed twice: the last wins
    )
    mentees, mentors = [Mentee("E1"), Mentee("E2")], [Mentor("M1"), Mentor("M2")]
    cohort = Cohort(mentors=tuple(mentors), mentees=tuple(mentees), external_scores=scores)
    f = prepare(cohort, Policy(weights=Weights(skills=1), scores_only=True)).tables
    assert f.active == ("skills", "external")
    assert score_matrix(f).tolist() == [[0.0, 3.0], [-2.5, 0.0]]
    mixed = prepare(cohort, Policy(weights=Weights(goals=1, external=3))).tables
    assert score_matrix(mixed).tolist() == [[0.0, 2.25], [-1.875, 0.0]]


# --------------------------------------------------------------------------- total


def test_combine_is_the_weighted_mean_over_positive_weights():
    comps = {"skills": np.array([1.0, 0.5]), "goals": np.array([0.0, 1.0])}
    weights = Weights(skills=3, goals=1, seniority=0)
    assert combine(comps, weights).tolist() == [0.75, 0.625]
    assert combine(comps, Weights()).tolist() == [0.0, 0.0]
    assert combine({"external": np.array([4.0])}, Weights(skills=1), scores_only=True) == [4.0]


def test_active_components_order():
    weights = Weights(preference=1, skills=2, external=0)
    assert active_components(weights) == ("skills", "preference")
    assert active_components(weights, scores_only=True) == ("skills", "preference", "external")


def test_total_by_hand():
    policy = Policy(weights=Weights(skills=2, timezone=1, language=1))
    mentee = Mentee("E1", skills=(Skill("python", 2), Skill("sql")), utc_offset_minutes=0)
    mentor = Mentor("M1", skills=(Skill("python", 2),), utc_offset_minutes=360, languages=("en",))
    f = prepare(Cohort(mentors=(mentor,), mentees=(mentee,)), policy).tables
    # skills (0.5 + 0) / 2 = 0.25; timezone 1 - 6/12 = 0.5; language unknown side 0.5
    assert score_matrix(f)[0, 0] == pytest.approx((2 * 0.25 + 0.5 + 0.5) / 4)


# --------------------------------------------------------------------------- paths agree


def random_cohort(n_e, n_m, seed):
    rng = np.random.default_rng(seed)
    tags = [f"s{k}" for k in range(12)]

    def maybe(value):
        return value if rng.random() < 0.8 else None

    def person(cls, i, prefix, other):
        return cls(
            id=f"{prefix}{i}",
            seniority=maybe(int(rng.integers(1, 8))),
            skills=tuple(
                Skill(str(t), maybe(int(rng.integers(1, 6))))
                for t in rng.choice(tags, int(rng.integers(0, 6)), replace=False)
            ),
            goals=tuple(str(g) for g in rng.choice(tags[:6], int(rng.integers(0, 4)), False)),
            languages=tuple(str(x) for x in rng.choice(["en", "fr", "de"], int(rng.integers(3)))),
            department=maybe(str(rng.choice(["a", "b", "c"]))),
            location=maybe(str(rng.choice(["x", "y"]))),
            utc_offset_minutes=maybe(int(rng.choice([-600, -330, 0, 60, 780]))),
            prefer=tuple(f"{other}{k}" for k in rng.choice(9, int(rng.integers(0, 4)), False)),
        )

    mentees = tuple(person(Mentee, i, "E", "M") for i in range(n_e))
    mentors = tuple(person(Mentor, j, "M", "E") for j in range(n_m))
    k = n_e * n_m // 3
    ext = ExternalScores(
        mentee_index=rng.integers(0, n_e, k),
        mentor_index=rng.integers(0, n_m, k),
        value=rng.normal(size=k),
    )
    return Cohort(mentors=mentors, mentees=mentees, external_scores=ext)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matrix_path_equals_pair_path_bit_for_bit(seed):
    cohort = random_cohort(23, 9, seed)
    weights = Weights(**{c: float(k + 1) for k, c in enumerate(WEIGHT_KEYS)})
    policy = Policy(
        weights=weights,
        related_skills=(("s1", "s2", 0.3), ("s3", "s1", 0.6)),
        department_preference=DepartmentRule.SAME,
    )
    f = prepare(cohort, policy).tables
    matrix = score_matrix(f, block_rows=5)
    assert np.array_equal(matrix, score_matrix(f))
    e, m = np.divmod(np.arange(23 * 9), 9)
    assert np.array_equal(pair_scores(f, e, m), matrix.ravel())
    assert np.array_equal(pair_scores(f, np.arange(23)[:, None], np.arange(9)[None, :]), matrix)
    blocks = block_components(f, 0, 23)
    pairs = pair_components(f, e[::-1], m[::-1])
    assert tuple(pairs) == WEIGHT_KEYS
    for name in WEIGHT_KEYS:
        assert np.array_equal(pairs[name][::-1], blocks[name].ravel()), name
        if name != "external":
            assert 0.0 <= blocks[name].min() and blocks[name].max() <= 1.0, name
    assert pair_scores(f, 4, 7) == matrix[4, 7]


def test_empty_sides():
    f = prepare(Cohort(mentors=(), mentees=(Mentee("E1"),)), Policy(weights=ALL)).tables
    assert score_matrix(f).shape == (1, 0)
    f = prepare(Cohort(mentors=(Mentor("M1"),), mentees=()), Policy(weights=ALL)).tables
    assert score_matrix(f).shape == (0, 1)
