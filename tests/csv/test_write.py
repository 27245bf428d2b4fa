"""Writing cohorts and assignments: exact bytes, Excel safety, round trips."""

import io

from matcher.io.cohort_csv import read_assignments, read_cohort, write_cohort, write_pairs
from matcher.model import Cohort, Mentee, Mentor, Skill
from matcher.results import MatchResult, Pair, Status, Unmatched

HEADER = (
    "id,role,name,email,seniority,skills,goals,capacity,min_capacity,department,location,"
    "timezone,languages,manager_id,exclude,prefer\r\n"
)


def tricky_cohort() -> Cohort:
    """Every field set, with cells a spreadsheet would otherwise run as formulas."""
    return Cohort(
        mentors=(
            Mentor(
                id="-m1",
                name="=cmd|' /C calc'!A0",
                email="@boss@example.org",
                seniority=7,
                skills=(Skill("=sum", 3), Skill("python")),
                goals=("+growth", "leadership"),
                capacity=3,
                min_capacity=1,
                department="@x",
                location="+1",
                timezone="UTC-05:00",
                utc_offset_minutes=-300,
                languages=("english", "-dash"),
                manager_id="=boss",
                exclude=("e2",),
                prefer=("e1", "e2"),
            ),
            Mentor(id="m2", name="'=already quoted", capacity=0, seniority=3),
        ),
        mentees=(
            Mentee(
                id="e1",
                name='Zoë "Z" Ångström, PhD\nline two',
                seniority=1,
                skills=(Skill("python", 1),),
                timezone="Asia/Kolkata",
                utc_offset_minutes=330,
                prefer=("-m1",),
            ),
            Mentee(id="e2", name="'apostrophe", seniority=0, capacity=2, exclude=("m2",)),
        ),
    )


def test_round_trip_of_every_field(tmp_path):
    cohort = tricky_cohort()
    path = tmp_path / "cohort.csv"
    write_cohort(cohort, path)
    assert read_cohort(path) == cohort


def test_written_bytes_are_exact():
    cohort = Cohort(
        mentors=(
            Mentor(
                id="m1", name="=cmd|' /C calc'!A0", capacity=2, min_capacity=1, timezone="-05:00"
            ),
        ),
        mentees=(Mentee(id="e1", department="@x", skills=(Skill("go", 2), Skill("sql"))),),
    )
    out = io.BytesIO()
    write_cohort(cohort, out)
    assert out.getvalue() == (
        "\ufeff"
        + HEADER
        + "m1,mentor,'=cmd|' /C calc'!A0,,,,,2,1,,,UTC-05:00,,,,\r\n"
        + "e1,mentee,,,,go:2;sql,,1,,'@x,,,,,,\r\n"
    ).encode("utf-8")


def test_writing_is_deterministic_across_targets(tmp_path):
    cohort = tricky_cohort()
    path, binary, text = tmp_path / "a.csv", io.BytesIO(), io.StringIO()
    write_cohort(cohort, path)
    write_cohort(cohort, str(tmp_path / "b.csv"))
    write_cohort(cohort, binary)
    write_cohort(cohort, text)
    assert path.read_bytes() == (tmp_path / "b.csv").read_bytes() == binary.getvalue()
    assert text.getvalue().encode("utf-8") == binary.getvalue()
    assert binary.getvalue().startswith(b"\xef\xbb\xbf")


def test_text_stream_with_a_buffer_gets_the_exact_bytes():
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii", newline="\n")
    write_cohort(tricky_cohort(), stream)
    expected = io.BytesIO()
    write_cohort(tricky_cohort(), expected)
    assert raw.getvalue() == expected.getvalue()


def result() -> MatchResult:
    return MatchResult(
        solver="flow",
        status=Status.OPTIMAL,
        pairs=(
            Pair("e1", "m1", 0.75, (("skills", 0.5), ("goals", 1.0)), True, "shares python"),
            Pair("-e2", "m2", -3.5, (("skills", 0.0), ("external", -3.5)), False, "=1+2"),
            Pair("e5", "m2", -1e-9, (("skills", 0.123456),), False, "tiny"),
        ),
        unmatched=(
            Unmatched("e3", 2, ("no eligible mentor", "capacity full")),
            Unmatched("@e4", 1, ("all mentors excluded",)),
        ),
    )


def test_assignments_bytes_are_exact_and_excel_safe():
    out = io.BytesIO()
    write_pairs(result(), out)
    assert out.getvalue().decode("utf-8") == (
        "\ufeffmentee_id,mentor_id,score,skills,goals,external,pinned,explanation\r\n"
        "e1,m1,0.750000,0.5000,1.0000,,true,shares python\r\n"
        "'-e2,m2,-3.500000,0.0000,,-3.5000,false,'=1+2\r\n"
        "e5,m2,0.000000,0.1235,,,false,tiny\r\n"
        "e3,,,,,,,no eligible mentor; capacity full; 2 places missing\r\n"
        "'@e4,,,,,,,all mentors excluded\r\n"
    )


def test_assignments_read_back(tmp_path):
    path = tmp_path / "pairs.csv"
    write_pairs(result(), path)
    rows = read_assignments(path)
    assert rows[1] == {
        "mentee_id": "-e2",
        "mentor_id": "m2",
        "score": -3.5,
        "skills": 0.0,
        "goals": None,
        "external": -3.5,
        "pinned": False,
        "explanation": "=1+2",
    }
    assert rows[3]["mentor_id"] is None and rows[3]["pinned"] is None
    assert [r["mentee_id"] for r in rows] == ["e1", "-e2", "e5", "e3", "@e4"]


def test_assignments_without_components(tmp_path):
    path = tmp_path / "pairs.csv"
    write_pairs(MatchResult(solver="flow", status=Status.OPTIMAL), path)
    assert path.read_bytes() == b"\xef\xbb\xbfmentee_id,mentor_id,score,pinned,explanation\r\n"


def test_bad_assignments_file_is_rejected(rejected):
    data = b"mentee_id,mentor_id,score,pinned,explanation\ne1,m1,high,maybe,\n"
    problems = rejected(read_assignments, data)
    assert [(p.line, p.column, p.value, p.message) for p in problems] == [
        (2, "score", "high", "expected a number"),
        (2, "pinned", "maybe", "expected true or false"),
    ]
