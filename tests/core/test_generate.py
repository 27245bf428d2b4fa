"""The synthetic cohort generator: determinism, sizes, valid references, ranges, speed."""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

import pytest

from matcher.io.generate import GOALS, RELATED_SKILLS, SKILLS, generate_cohort
from matcher.io.policy import policy_from_dict
from matcher.model import Mentee, Mentor


@pytest.fixture(scope="module")
def cohort():
    return generate_cohort(2000, 500, seed=11)


def test_same_seed_gives_an_equal_cohort_and_another_seed_does_not():
    assert generate_cohort(200, 50, seed=3) == generate_cohort(200, 50, seed=3)
    assert generate_cohort(200, 50, seed=3) != generate_cohort(200, 50, seed=4)


def test_sizes_roles_and_id_formats(cohort):
    assert (len(cohort.mentees), len(cohort.mentors)) == (2000, 500)
    assert all(type(m) is Mentor for m in cohort.mentors)
    assert all(type(m) is Mentee for m in cohort.mentees)
    assert cohort.mentor_ids[:2] == ("M00001", "M00002")
    assert cohort.mentee_ids[-1] == "E002000"
    ids = cohort.mentor_ids + cohort.mentee_ids
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"M\d{5}|E\d{6}", i) for i in ids)


def test_exclude_and_prefer_name_distinct_people_of_the_other_role(cohort):
    mentor_ids, mentee_ids = set(cohort.mentor_ids), set(cohort.mentee_ids)
    for people, others in ((cohort.mentees, mentor_ids), (cohort.mentors, mentee_ids)):
        listed = [p for p in people if p.exclude or p.prefer]
        assert listed, "some people state exclude/prefer lists"
        assert len(listed) < len(people) // 10, "only a few do"
        for p in listed:
            named = p.exclude + p.prefer
            assert set(named) <= others
            assert len(set(named)) == len(named)
            assert len(p.exclude) <= 1 and len(p.prefer) <= 3


def test_capacities_in_range(cohort):
    mentor_caps = [m.capacity for m in cohort.mentors]
    assert set(mentor_caps) <= set(range(1, 7))
    assert 2.7 <= sum(mentor_caps) / len(mentor_caps) <= 3.5
    assert Counter(m.capacity for m in cohort.mentees).keys() == {1, 2}
    assert sum(m.capacity == 2 for m in cohort.mentees) < 0.1 * len(cohort.mentees)
    mins = [m.min_capacity for m in cohort.mentors]
    assert set(mins) == {0, 1}
    assert sum(mins) < 0.1 * len(mins)


def test_org_chart_points_up_and_partly_outside(cohort):
    people = {p.id: p for p in cohort.mentors + cohort.mentees}
    inside = outside = 0
    for p in people.values():
        assert p.manager_id is not None and p.manager_id != p.id
        if p.manager_id in people:
            inside += 1
            assert people[p.manager_id].seniority > p.seniority
            assert people[p.manager_id].department == p.department
        else:
            outside += 1
            assert p.manager_id.startswith("X")
    assert inside > 0.3 * len(people) and outside > 0.3 * len(people)
    mentors = set(cohort.mentor_ids)
    assert any(m.manager_id in mentors for m in cohort.mentees), "reporting chains to mentors"


def test_seniority_and_taxonomy_spread(cohort):
    def mean(xs):
        return sum(xs) / len(xs)

    assert {p.seniority for p in cohort.mentors + cohort.mentees} <= set(range(9))
    assert (
        mean([m.seniority for m in cohort.mentors])
        > mean([m.seniority for m in cohort.mentees]) + 2
    )
    assert 55 <= len(SKILLS) == len(set(SKILLS)) <= 65
    assert 14 <= len(GOALS) <= 16
    everyone = cohort.mentors + cohort.mentees
    assert len({s.name for p in everyone for s in p.skills}) == len(SKILLS)
    assert 8 <= len({p.department for p in everyone}) <= 12
    assert 9 <= len({p.timezone for p in everyone}) <= 13
    assert all(p.languages for p in everyone)
    assert 0.8 < mean(["english" in p.languages for p in everyone]) < 1.0


def test_people_have_distinct_tags_and_names_without_leaking_into_ids(cohort):
    for p in cohort.mentors[:50] + cohort.mentees[:200]:
        assert len(set(p.skill_names)) == len(p.skills) >= 2
        assert len(set(p.goals)) == len(p.goals) >= 1
        assert re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", p.name)
        assert p.email == f"{p.id.lower()}@example.org"
    levels = {s.level for m in cohort.mentors for s in m.skills}
    assert levels == {None, 3, 4, 5}


def test_tags_and_time_zones_are_what_the_reader_would_produce(cohort):
    records = pytest.importorskip("matcher.io.records")
    for p in cohort.mentors[:100] + cohort.mentees[:400]:
        tags = p.skill_names + p.goals + p.languages + (p.department, p.location)
        assert all(records.normalise_tag(t) == t for t in tags)
        assert records.parse_timezone(p.timezone) == (p.timezone, p.utc_offset_minutes)


def test_round_trip_through_records():
    records = pytest.importorskip("matcher.io.records")
    small = generate_cohort(120, 30, seed=5)
    assert records.cohort_from_records(records.cohort_to_records(small)) == small


def test_related_skills_are_valid_policy_entries_between_known_skills():
    assert {a for a, _, _ in RELATED_SKILLS} | {b for _, b, _ in RELATED_SKILLS} <= set(SKILLS)
    data = {"tags": {"related_skills": [list(r) for r in RELATED_SKILLS]}}
    assert policy_from_dict(data).related_skills == RELATED_SKILLS


def test_generation_is_fast():
    start = time.perf_counter()
    big = generate_cohort(5000, 1000, seed=1)
    elapsed = time.perf_counter() - start
    assert len(big.mentees) == 5000
    assert elapsed < 2.0, f"5,000 x 1,000 took {elapsed:.2f} s"


@pytest.mark.parametrize(
    ("args", "message"),
    [((0, 5, 1), "n_mentees"), ((5, -1, 1), "n_mentors"), ((5, 5, -2), "seed"),
     ((5, 5, 1.5), "seed"), ((True, 5, 1), "n_mentees")],
)  # fmt: skip
def test_bad_arguments_are_rejected(args, message):
    with pytest.raises(ValueError, match=message):
        generate_cohort(*args)


DATA = Path(__file__).resolve().parents[2] / "data"


def test_mentoring_sample_file_is_the_seeded_generator_output():
    cohort_csv = pytest.importorskip("matcher.io.cohort_csv")
    assert cohort_csv.read_cohort(DATA / "mentoring-500.csv") == generate_cohort(400, 100, seed=7)


def test_coaching_sample_file_loads_with_a_small_capacity_shortfall():
    cohort_csv = pytest.importorskip("matcher.io.cohort_csv")
    sample = cohort_csv.read_cohort(DATA / "coaching-sample.csv")
    assert (len(sample.mentees), len(sample.mentors)) == (28, 12)
    wanted = sum(m.capacity for m in sample.mentees)
    offered = sum(m.capacity for m in sample.mentors)
    assert (wanted, offered) == (29, 27)
    assert {m.utc_offset_minutes for m in sample.mentees} >= {-480, 480}
