"""Bring-your-own scores and org-chart files."""

import time

import numpy as np
from csv_helpers import lines

from matcher.io.cohort_csv import read_org_chart, read_scores
from matcher.model import Cohort, Mentee, Mentor

COHORT = Cohort(
    mentors=(Mentor(id="m1"), Mentor(id="m2"), Mentor(id="-m3")),
    mentees=(Mentee(id="e1"), Mentee(id="e2")),
)


def test_scores_in_file_order_with_negative_values(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_bytes(lines("Score;Mentor ID;Mentee ID", "-3.5;m2;e1", "0.25;m1;e2", "1e2;'-m3;e2"))
    scores = read_scores(path, COHORT)
    assert len(scores) == 3
    assert scores.mentee_index.dtype == np.int64 and scores.value.dtype == np.float64
    assert scores.mentee_index.tolist() == [0, 1, 1]
    assert scores.mentor_index.tolist() == [1, 0, 2]
    assert scores.value.tolist() == [-3.5, 0.25, 100.0]


def test_scores_with_quotes_and_spaces_take_the_careful_path():
    scores = read_scores(lines("mentee_id,mentor_id,score", '"e1", m1 ,"0.5"'), COHORT)
    assert (scores.mentee_index.tolist(), scores.mentor_index.tolist()) == ([0], [0])
    assert scores.value.tolist() == [0.5]


def test_score_rejections_all_at_once(rejected):
    data = lines(
        "mentee_id,mentor_id,score",
        "e1,m1,0.5",
        "e9,m1,0.5",
        "m1,e1,0.5",
        "e2,m2,nan",
        "e2,m1,-inf",
        "e2,m2,high",
        "e1,m2,1,extra",
    )
    problems = rejected(read_scores, data, COHORT)
    assert [(p.source, p.line, p.column, p.value, p.message) for p in problems] == [
        (
            "scores",
            3,
            "mentee_id",
            "e9",
            "expected the id of a mentee in the cohort; no one has this id",
        ),
        ("scores", 4, "mentee_id", "m1", "expected the id of a mentee, not of a mentor"),
        ("scores", 4, "mentor_id", "e1", "expected the id of a mentor, not of a mentee"),
        ("scores", 5, "score", "nan", "expected a finite number"),
        ("scores", 6, "score", "-inf", "expected a finite number"),
        ("scores", 7, "score", "high", "expected a number"),
        ("scores", 8, None, None, "expected 3 fields like the header, found 4"),
    ]


def test_repeated_pair(rejected):
    data = lines("mentee_id,mentor_id,score", "e1,m1,1", "e2,m1,1", "e1,m1,2")
    (p,) = rejected(read_scores, data, COHORT)
    assert (p.line, p.message) == (4, "expected each pair once; also listed on line 2")


def test_missing_and_unknown_score_columns(rejected):
    problems = rejected(read_scores, lines("mentee,mentor_id,score", "e1,m1,1"), COHORT)
    assert [(p.line, p.column) for p in problems] == [(1, "mentee"), (1, "mentee_id")]
    assert problems[1].message == "there is no 'mentee_id' column"


def test_640k_scores_read_quickly(tmp_path):
    n = 800
    cohort = Cohort(
        mentors=tuple(Mentor(id=f"mentor-{j:04d}") for j in range(n)),
        mentees=tuple(Mentee(id=f"mentee-{i:04d}") for i in range(n)),
    )
    values = np.random.default_rng(0).normal(size=n * n)
    body = "\n".join(
        f"mentee-{k // n:04d},mentor-{k % n:04d},{v:.6f}" for k, v in enumerate(values)
    )
    path = tmp_path / "scores.csv"
    path.write_text("mentee_id,mentor_id,score\n" + body + "\n")
    started = time.perf_counter()
    scores = read_scores(path, cohort)
    seconds = time.perf_counter() - started
    assert len(scores) == n * n
    assert scores.mentee_index[n + 3] == 1 and scores.mentor_index[n + 3] == 3
    np.testing.assert_allclose(scores.value, np.round(values, 6))
    assert seconds < 5.0, f"640,000 scores took {seconds:.2f} s"


def test_org_chart(tmp_path):
    path = tmp_path / "org.csv"
    path.write_bytes(lines("Manager ID,ID", "ceo,m1", ",ceo", "m1,e1"))
    assert read_org_chart(path) == (("m1", "ceo"), ("e1", "m1"))


def test_org_chart_rejections(rejected):
    data = lines("id,manager_id,team", "m1,ceo,a", "m1,cto,b", "e1,e1,c", ",m1,d")
    problems = rejected(read_org_chart, data)
    assert [(p.source, p.line, p.column, p.value, p.message) for p in problems] == [
        ("org_chart", 1, "team", "team", "unknown column; expected one of id, manager_id"),
        ("org_chart", 3, "id", "m1", "expected each person once; also listed on line 2"),
        (
            "org_chart",
            4,
            "manager_id",
            "e1",
            "expected someone else's id as manager, not this person's own",
        ),
        ("org_chart", 5, "id", "", "expected an id of 1 to 64 characters"),
    ]


def test_plain_and_careful_paths_read_the_same_numbers():
    plain = lines("mentor_id,score,mentee_id", "m2,-0.5,e1", "m1,1e-3,e2", "-m3,+2.,e2")
    careful = lines("mentor_id,score,mentee_id", "m2,-0.5,e1", "m1,1e-3,e2", "'-m3,+2.,e2")
    for data in (plain, careful, plain.replace(b"\n", b"\r\n")):
        scores = read_scores(data, COHORT)
        assert scores.mentee_index.tolist() == [0, 1, 1]
        assert scores.mentor_index.tolist() == [1, 0, 2]
        assert scores.value.tolist() == [-0.5, 0.001, 2.0]


def test_formulas_underscores_and_compensating_ragged_rows_are_refused(rejected):
    data = lines(
        "mentee_id,mentor_id,score",
        "e1,m1,=1+1",
        "e2,m1,1_000",
        "=cmd,m2,0.5",
        "e2,m2",
        "e1,m2,1,2",
    )
    problems = rejected(read_scores, data, COHORT)
    assert [(p.line, p.column, p.value, p.message) for p in problems] == [
        (2, "score", "=1+1", "expected a number, not a spreadsheet formula"),
        (3, "score", "1_000", "expected a number"),
        (4, "mentee_id", "=cmd", "expected the id of a mentee, not a spreadsheet formula"),
        (5, None, None, "expected 3 fields like the header, found 2"),
        (6, None, None, "expected 3 fields like the header, found 4"),
    ]


def test_repeated_pair_found_on_the_plain_path(rejected):
    data = lines("mentee_id,mentor_id,score", *[f"e{k % 2 + 1},m{k % 2 + 1},0.5" for k in range(3)])
    (p,) = rejected(read_scores, data, COHORT)
    assert (p.line, p.message) == (4, "expected each pair once; also listed on line 2")
